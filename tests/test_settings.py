"""Every setting reads back its own type, whatever shape QSettings stored it in."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings

from editor.session import settings as app_settings


def ini(tmp_path: Path) -> QSettings:
    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


def test_values_come_back_as_their_type_after_a_round_trip_through_the_file(
    tmp_path: Path,
) -> None:
    written = ini(tmp_path)
    app_settings.STRICT_TYPES.write(written, True)
    app_settings.TRUST_ANCHORS.write(written, ["/only/one.pem"])
    app_settings.IDENTITY_CHAIN.write(written, ["/a.pem", "/b.pem"])
    app_settings.WINDOW_GEOMETRY.write(written, QByteArray(b"\x01\x02"))
    app_settings.LAST_CONNECTION_TYPE.write(written, "wireguard")
    written.sync()

    read = ini(tmp_path)  # a new object reads the file: "true" and a lone string
    assert app_settings.STRICT_TYPES.read(read) is True
    assert app_settings.TRUST_ANCHORS.read(read) == ["/only/one.pem"]
    assert app_settings.IDENTITY_CHAIN.read(read) == ["/a.pem", "/b.pem"]
    assert app_settings.WINDOW_GEOMETRY.read(read) == QByteArray(b"\x01\x02")
    assert app_settings.LAST_CONNECTION_TYPE.read(read) == "wireguard"


def test_missing_values_give_the_defaults(tmp_path: Path) -> None:
    empty = ini(tmp_path)
    assert app_settings.STRICT_TYPES.read(empty) is False
    assert app_settings.RECENT_FILES.read(empty) == []
    assert app_settings.WINDOW_STATE.read(empty) is None
    assert app_settings.LAST_CONNECTION_TYPE.read(empty) == "ikev2"
    assert app_settings.IDENTITY_KIND.read(empty) == "pkcs12"
    assert app_settings.LAST_DIRECTORY.read(empty) == str(Path.home())


def test_per_file_keys_and_recent_files(tmp_path: Path) -> None:
    store = ini(tmp_path)
    a, b = tmp_path / "a.mobileconfig", tmp_path / "b.mobileconfig"
    assert app_settings.TARGETS_BY_FILE.key(a) != app_settings.TARGETS_BY_FILE.key(b)
    assert "/" not in app_settings.TARGETS_BY_FILE.key(a).removeprefix("targetsByFile/")
    app_settings.CHANNEL_BY_FILE.text(a).write(store, "intune")
    assert app_settings.CHANNEL_BY_FILE.text(a).read(store) == "intune"
    assert app_settings.CHANNEL_BY_FILE.text(b).read(store) == ""
    for number in range(app_settings.MAX_RECENT + 3):
        app_settings.add_recent_file(store, f"/p/{number}.mobileconfig")
    app_settings.add_recent_file(store, "/p/5.mobileconfig")  # to the top, not twice
    recent = app_settings.recent_files(store)
    assert len(recent) == app_settings.MAX_RECENT
    assert recent[0] == "/p/5.mobileconfig" and recent.count("/p/5.mobileconfig") == 1
