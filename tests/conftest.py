"""Shared fixtures: the schema, the real corpus, a throwaway PKI, certificate files and a
small profile builder. What tests import (builders, drivers, runners) is in helpers/."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from helpers.certificate_files import Files, build_certificate_files
from helpers.pki import Pki, build_pki
from helpers.profiles import CORPUS, IKEV2_PAYLOAD, PKCS12_PAYLOAD, make_profile

from editor.core.model import Profile
from editor.core.schema import Schema
from editor.core.schema_loader import load_schema

# The editor and `vpn-profile` keep the checked schema in the user's cache folder; the
# tests (and the processes they start) keep theirs apart from the user's.
_TEST_CACHE = tempfile.mkdtemp(prefix="vpe-test-cache-")
os.environ["XDG_CACHE_HOME"] = _TEST_CACHE
atexit.register(shutil.rmtree, _TEST_CACHE, True)

def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test that opens widgets `gui`: it uses qtbot, or its module is about
    the window (test_gui*, test_admin_tasks, test_accessibility)."""
    window_modules = ("test_gui", "test_admin_tasks", "test_accessibility")
    for item in items:
        module = item.module.__name__ if isinstance(item, pytest.Function) else ""
        uses_qt = "qtbot" in getattr(item, "fixturenames", ())
        if uses_qt or module.startswith(window_modules):
            item.add_marker(pytest.mark.gui)


@pytest.fixture(scope="session")
def schema() -> Schema:
    return load_schema()


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    if not CORPUS.is_dir():
        pytest.skip("the shared corpus (../shared/corpus/vpn-profiles) is not present")
    return CORPUS


@pytest.fixture
def dialogs(monkeypatch: pytest.MonkeyPatch) -> Any:
    """GUI tests: QMessageBox helpers record and answer instead of waiting (helpers/gui.py)."""
    from helpers.gui import DialogRecorder

    recorder = DialogRecorder()
    recorder.install(monkeypatch)
    return recorder


@pytest.fixture
def isolated_settings(tmp_path: Path) -> Path:
    """GUI tests: settings and app data go below the test's own folder."""
    from helpers.gui import isolate_settings

    return isolate_settings(tmp_path / "settings")


@pytest.fixture(scope="session")
def signed_profile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The corpus's signed profile, or, without the corpus, one signed here."""
    corpus_file = CORPUS / "designdeveloperr-ikev2__ios.signed.mobileconfig"
    if corpus_file.is_file():
        return corpus_file
    from helpers.cms import sign_profile

    path = tmp_path_factory.mktemp("signed") / "own.signed.mobileconfig"
    content = make_profile(IKEV2_PAYLOAD, PKCS12_PAYLOAD).to_bytes("xml")
    path.write_bytes(sign_profile(content))
    return path


@pytest.fixture(scope="session")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    """A throwaway PKI (helpers/pki.py), made once per run."""
    return build_pki(tmp_path_factory.mktemp("pki"))


@pytest.fixture(scope="session")
def files(tmp_path_factory: pytest.TempPathFactory) -> Files:
    """Certificate files as an administrator has them (helpers/certificate_files.py)."""
    return build_certificate_files(tmp_path_factory.mktemp("dialog-certificates"))


@pytest.fixture
def build() -> Callable[..., Profile]:
    return make_profile
