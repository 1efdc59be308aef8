#!/usr/bin/env bash
# Set up this project on a fresh Debian machine, then run the editor or every test.
#   bash packaging/dev-setup.sh run [FILE...]   install, then start the editor
#   bash packaging/dev-setup.sh test            install, then run ruff, mypy, vulture and pytest
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$here"
mode=${1:-test}
shift || true

# System libraries Qt needs (offscreen and X11; packaging/linux/qt-runtime-packages),
# fonts, OpenSSL for the interoperability tests, and Xvfb for screenshots. For the
# packaging tests: binutils (PyInstaller's objdump), the freedesktop tools that check the
# .desktop and MIME files (xdg-mime answers through libfile-mimeinfo-perl's mimetype),
# lintian and patchelf for the Debian package, man-db to format the man pages, zsh to
# load the generated completion, and shellcheck, through which actionlint checks the
# release workflow's scripts, and a window manager (openbox) and xdotool, so that the
# admin-task tests also run on an X display as on a desktop (tests/test_admin_tasks_x11.py).
# Skipped when all are present.
mapfile -t qt_packages < <(grep -v '^#' packaging/linux/qt-runtime-packages)
packages=(python3 python3-venv "${qt_packages[@]}" xvfb xauth openssl)
if [ "$mode" = test ]; then
  packages+=(binutils desktop-file-utils shared-mime-info xdg-utils libfile-mimeinfo-perl
             lintian patchelf man-db zsh shellcheck openbox xdotool)
fi
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

python=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$python" -m venv .venv
fi
extras=test
if [ "$mode" = test ]; then
  extras=test,build
  # PyInstaller bundles libpython; Debian's own python3 keeps it in a separate package.
  if ! .venv/bin/python -c 'import sysconfig, sys; sys.exit(not sysconfig.get_config_var("Py_ENABLE_SHARED"))'; then
    libpython=libpython$(.venv/bin/python -c 'import sys; print("%d.%d" % sys.version_info[:2])')
    if ! dpkg-query -W -f='${Status}' "$libpython" 2>/dev/null | grep -q "install ok installed"; then
      sudo=""
      [ "$(id -u)" -eq 0 ] || sudo="sudo"
      $sudo apt-get update -q
      DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "$libpython"
    fi
  fi
fi
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e ".[$extras]"

export LANG=${LANG:-C.UTF-8}
case "$mode" in
  run)
    exec .venv/bin/vpn-profile-editor "$@"
    ;;
  test)
    export QT_QPA_PLATFORM=offscreen
    .venv/bin/ruff check .
    .venv/bin/mypy
    .venv/bin/vulture editor packaging tools tools/vulture_whitelist.py --min-confidence 60
    exec .venv/bin/python -m pytest "$@"
    ;;
  *)
    echo "usage: bash packaging/dev-setup.sh run|test" >&2
    exit 2
    ;;
esac
