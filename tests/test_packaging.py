"""Packaging: the file-type list drives every platform's declarations; the bundle works."""

from __future__ import annotations

import importlib.util
import os
import plistlib
import re
import shutil
import struct
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from types import ModuleType

import pytest
from conftest import CORPUS

import editor
from editor.core.file_types import CONFIGURATION_PROFILE, FILE_TYPES

ROOT = Path(__file__).resolve().parent.parent
PACKAGING = ROOT / "packaging"
ICONS = ROOT / "resources" / "icons"
MIME_NS = "{http://www.freedesktop.org/standards/shared-mime-info}"


def load_file_associations() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "file_associations", PACKAGING / "file_associations.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_list_claims_mobileconfig() -> None:
    assert CONFIGURATION_PROFILE in FILE_TYPES
    assert CONFIGURATION_PROFILE.extensions == ("mobileconfig",)
    assert CONFIGURATION_PROFILE.mime_type == "application/x-apple-aspen-config"
    assert CONFIGURATION_PROFILE.uti == "com.apple.mobileconfig"
    assert CONFIGURATION_PROFILE.role == "Editor"
    for file_type in FILE_TYPES:
        assert all(e == e.lower() and not e.startswith(".") for e in file_type.extensions)
        assert re.fullmatch(r"[\w.+-]+/[\w.+-]+", file_type.mime_type)


def test_generated_files_are_up_to_date() -> None:
    """Run packaging/file_associations.py after changing editor/core/file_types.py."""
    associations = load_file_associations()
    for path, text in associations.expected_files().items():
        assert path.read_text(encoding="utf-8") == text, f"{path.name} is stale"


def test_desktop_file_declares_the_types() -> None:
    lines = (PACKAGING / "linux" / "vpn-profile-editor.desktop").read_text().splitlines()
    fields = dict(line.split("=", 1) for line in lines if "=" in line)
    assert fields["MimeType"].rstrip(";").split(";") == [t.mime_type for t in FILE_TYPES]
    assert fields["Exec"] == f"{editor.GUI_EXECUTABLE} %F"
    assert fields["Icon"] == editor.GUI_EXECUTABLE
    assert fields["Name"] == editor.APP_NAME


def test_mime_xml_declares_the_types() -> None:
    tree = ET.parse(PACKAGING / "linux" / "vpn-profile-editor.xml")
    declared = {
        node.get("type"): [glob.get("pattern") for glob in node.iter(f"{MIME_NS}glob")]
        for node in tree.getroot().iter(f"{MIME_NS}mime-type")
    }
    assert declared == {t.mime_type: list(t.globs) for t in FILE_TYPES}


def test_windows_installer_registers_the_types() -> None:
    main_script = (PACKAGING / "windows" / "vpn-profile-editor.iss").read_text()
    assert '#include "file-types.iss"' in main_script
    assert "ChangesAssociations=yes" in main_script
    registry = (PACKAGING / "windows" / "file-types.iss").read_text()
    for file_type in FILE_TYPES:
        for extension in file_type.extensions:
            assert f'Classes\\.{extension}"; ValueType: string; ValueName: ""; ' in registry
            assert f'ValueData: "{file_type.windows_prog_id}"' in registry
        assert f'{file_type.windows_prog_id}\\DefaultIcon"' in registry
        assert f'ValueData: "{file_type.mime_type}"' in registry


def test_macos_bundle_declares_the_types() -> None:
    associations = load_file_associations()
    info = associations.info_plist_types()
    plistlib.dumps(info)  # every value must be plist-serializable
    documents = {d["LSItemContentTypes"][0]: d for d in info["CFBundleDocumentTypes"]}
    imported = {d["UTTypeIdentifier"]: d for d in info["UTImportedTypeDeclarations"]}
    for file_type in FILE_TYPES:
        assert documents[file_type.uti]["CFBundleTypeRole"] == "Editor"
        tags = imported[file_type.uti]["UTTypeTagSpecification"]
        assert tags["public.filename-extension"] == list(file_type.extensions)
        assert tags["public.mime-type"] == [file_type.mime_type]
    spec = (PACKAGING / "vpn-profile-editor.spec").read_text()
    assert "**file_associations.info_plist_types()" in spec
    assert "bundle_identifier=BUNDLE_ID" in spec


def test_the_version_is_written_in_one_place() -> None:
    """Everything else reads editor.__version__ (the installer reads the executable)."""
    literal = re.compile(re.escape(editor.__version__) + r"(?![\d.])")
    places = [ROOT / "pyproject.toml", ROOT / "README.md"]
    text_kinds = {".py", ".sh", ".spec", ".iss", ".desktop", ".xml"}
    places += [p for p in PACKAGING.rglob("*") if p.suffix in text_kinds]
    offenders = [str(p.relative_to(ROOT)) for p in places if literal.search(p.read_text())]
    assert offenders == []


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_icon_files() -> None:
    render = ICONS / "vpn-profile-editor.svg"
    assert ET.parse(render).getroot().tag == "{http://www.w3.org/2000/svg}svg"
    for size in (16, 24, 32, 48, 64, 128, 256, 512):
        data = (ICONS / f"vpn-profile-editor-{size}.png").read_bytes()
        assert _png_size(data) == (size, size)
    ico = (ICONS / "vpn-profile-editor.ico").read_bytes()
    reserved, kind, count = struct.unpack("<HHH", ico[:6])
    assert (reserved, kind) == (0, 1) and count >= 5
    icns = (ICONS / "vpn-profile-editor.icns").read_bytes()
    assert icns[:4] == b"icns" and struct.unpack(">I", icns[4:8])[0] == len(icns)


def test_the_window_icon_is_set(qapp: object) -> None:
    from editor.ui.icons import application_icon

    icon = application_icon()
    assert not icon.isNull()
    assert {s.width() for s in icon.availableSizes()} >= {16, 32, 48, 256}


@pytest.mark.packaging
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the Linux bundle only")
def test_build_and_smoke_test_the_linux_bundle(tmp_path: Path) -> None:
    """packaging/build-linux.sh builds the folder and checks it; see the script's header."""
    if importlib.util.find_spec("PyInstaller") is None:
        pytest.skip('PyInstaller is not installed (pip install -e ".[build]")')
    profiles = {}
    if not (CORPUS / "designdeveloperr-ikev2__ios.signed.mobileconfig").is_file():
        # without the shared corpus, a profile of our own, signed by a throwaway identity
        from cms_helpers import sign_profile
        from conftest import IKEV2_PAYLOAD, PKCS12_PAYLOAD, make_profile

        unsigned = tmp_path / "own.unsigned.mobileconfig"
        unsigned.write_bytes(make_profile(IKEV2_PAYLOAD, PKCS12_PAYLOAD).to_bytes("xml"))
        signed = tmp_path / "own.signed.mobileconfig"
        signed.write_bytes(sign_profile(unsigned.read_bytes()))
        profiles = {"SIGNED": str(signed), "UNSIGNED": str(unsigned)}
    for tool in ("desktop-file-validate", "update-mime-database", "xdg-mime", "objdump"):
        assert shutil.which(tool), f"{tool} is missing: run packaging/dev-setup.sh test"
    env = dict(
        os.environ,
        PYTHON=sys.executable,
        DIST=str(tmp_path / "dist"),
        WORK=str(tmp_path / "build"),
        CORPUS=str(CORPUS),
        **profiles,
    )
    result = subprocess.run(
        ["bash", str(PACKAGING / "build-linux.sh")],
        capture_output=True,
        text=True,
        env=env,
        timeout=900,
        check=False,
    )
    report = result.stdout + result.stderr
    assert result.returncode == 0, report[-6000:]
    assert "== all checks passed" in result.stdout
