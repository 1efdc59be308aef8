#!/usr/bin/env bash
# Turn the PyInstaller folder into a Debian package, dist/vpn-profile-editor_VERSION_ARCH.deb.
#
#   bash packaging/build-linux.sh && bash packaging/build-deb.sh
#   BUNDLE=/tmp/d/vpn-profile-editor DIST=/tmp/d bash packaging/build-deb.sh
#
# The package holds the folder in /opt/vpn-profile-editor/, both commands in /usr/bin
# (links into it), the .desktop file, the MIME type, the icons in the hicolor theme, the
# man pages and the bash and zsh completion (generated from the argument parsers by
# editor/cli/docs.py), a copyright file and a changelog. It has no maintainer scripts:
# the desktop, MIME, icon and man caches are refreshed by the file triggers of
# desktop-file-utils, shared-mime-info, the icon cache and man-db, which fire for the
# folders this package installs into, on install and on removal alike. Depends: the
# libraries Qt's xcb plugin needs (packaging/linux/qt-runtime-packages), nothing more;
# everything else is inside the folder. Set MAINTAINER to name your organisation.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
python=${PYTHON:-$root/.venv/bin/python}
dist=${DIST:-$root/dist}
name=vpn-profile-editor
bundle=${BUNDLE:-$dist/$name}
maintainer=${MAINTAINER:-VPN Profile Editor maintainers <maintainers@vpnprofileeditor.org>}

fail() { printf 'build-deb.sh: %s\n' "$*" >&2; exit 1; }
[ -x "$bundle/$name" ] && [ -x "$bundle/vpn-profile" ] \
  || fail "no built bundle at $bundle; run packaging/build-linux.sh first"
command -v dpkg-deb >/dev/null || fail "dpkg-deb is missing"

version=$("$python" -c 'import editor; print(editor.__version__)')
architecture=$(dpkg --print-architecture)
[ "$("$bundle/vpn-profile" --version)" = "vpn-profile $version" ] \
  || fail "the bundle is not version $version; build it again"
deb=$dist/${name}_${version}_${architecture}.deb

staging=$(mktemp -d)
trap 'rm -rf "$staging"' EXIT
tree=$staging/tree
share=$tree/usr/share
umask 022

# The application: the folder without the files of its own installer (the package
# installs them where Debian expects them).
mkdir -p "$tree/opt" "$tree/usr/bin"
cp -a "$bundle" "$tree/opt/$name"
rm -f "$tree/opt/$name"/{install.sh,"$name.desktop","$name.xml"}
# Libraries are not programs: only the two executables keep the executable bit.
find "$tree/opt/$name" -type f -exec chmod 644 {} +
find "$tree/opt/$name" -type d -exec chmod 755 {} +
chmod 755 "$tree/opt/$name/$name" "$tree/opt/$name/vpn-profile"
# A Python built with a run-time search path (pyenv's: its own lib folder on the build
# machine) leaves it in libpython and its extension modules. The bootloader loads
# libpython by its full path, so the path is never needed; on another machine it would
# point at whatever is there.
if command -v patchelf >/dev/null; then
  find "$tree/opt/$name" -type f -name '*.so*' -print0 | while IFS= read -r -d '' library; do
    search_path=$(patchelf --print-rpath "$library" 2>/dev/null || true)
    case $search_path in
      "" | *'$ORIGIN'*) ;;
      *) patchelf --remove-rpath "$library" ;;
    esac
  done
fi
ln -s "/opt/$name/$name" "$tree/usr/bin/$name"
ln -s "/opt/$name/vpn-profile" "$tree/usr/bin/vpn-profile"

# Desktop entry (Exec finds the command on PATH), MIME type, icons.
install -D -m 644 "packaging/linux/$name.desktop" "$share/applications/$name.desktop"
install -D -m 644 "packaging/linux/$name.xml" "$share/mime/packages/$name.xml"
mime_types=$(sed -n 's/^MimeType=//p' "packaging/linux/$name.desktop" | tr ';' ' ')
for png in resources/icons/"$name"-*.png; do
  size=${png##*-}
  size=${size%.png}
  install -D -m 644 "$png" "$share/icons/hicolor/${size}x${size}/apps/$name.png"
  for type in $mime_types; do
    install -D -m 644 "$png" "$share/icons/hicolor/${size}x${size}/mimetypes/${type//\//-}.png"
  done
done
install -D -m 644 "resources/icons/$name.svg" "$share/icons/hicolor/scalable/apps/$name.svg"
for type in $mime_types; do
  install -D -m 644 "resources/icons/$name.svg" \
    "$share/icons/hicolor/scalable/mimetypes/${type//\//-}.svg"
done

# Man pages and completion, generated from the parsers of this very source.
"$python" -m editor.cli.docs "$staging/docs" > /dev/null
mkdir -p "$share/man/man1" "$share/bash-completion/completions" "$share/zsh/vendor-completions"
for command in "$name" vpn-profile; do
  gzip -9 -n -c "$staging/docs/$command.1" > "$share/man/man1/$command.1.gz"
  install -m 644 "$staging/docs/$command.bash" "$share/bash-completion/completions/$command"
  install -m 644 "$staging/docs/_$command" "$share/zsh/vendor-completions/_$command"
done

# Documentation Debian Policy asks for, and lintian overrides with the reasons.
date=$(date -R -u -d "@${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || date +%s)}")
doc=$share/doc/$name
mkdir -p "$doc"
cat > "$doc/copyright" <<EOF
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: $name
Comment: The folder in /opt/$name also holds Python, Qt for Python (PySide6, LGPL-3),
 cryptography and asn1crypto (Apache-2.0/BSD) as PyInstaller collected them; their
 licence files are in /opt/$name/_internal.

Files: *
Copyright: $(date -u +%Y -d "$date") the VPN Profile Editor authors
License: MIT
 Permission is hereby granted, free of charge, to any person obtaining a copy of this
 software and associated documentation files (the "Software"), to deal in the Software
 without restriction, including without limitation the rights to use, copy, modify,
 merge, publish, distribute, sublicense, and/or sell copies of the Software, and to
 permit persons to whom the Software is furnished to do so, subject to the following
 conditions:
 .
 The above copyright notice and this permission notice shall be included in all copies
 or substantial portions of the Software.
 .
 THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED,
 INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY, FITNESS FOR A
 PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE AUTHORS OR COPYRIGHT
 HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER LIABILITY, WHETHER IN AN ACTION OF
 CONTRACT, TORT OR OTHERWISE, ARISING FROM, OUT OF OR IN CONNECTION WITH THE SOFTWARE OR
 THE USE OR OTHER DEALINGS IN THE SOFTWARE.
EOF
cat > "$staging/changelog" <<EOF
$name ($version) unstable; urgency=medium

  * Built from the PyInstaller folder by packaging/build-deb.sh.

 -- $maintainer  $date
EOF
gzip -9 -n -c "$staging/changelog" > "$doc/changelog.gz"
install -D -m 644 packaging/linux/lintian-overrides "$share/lintian/overrides/$name"

# Control files.
mkdir -p "$tree/DEBIAN"
depends=$(grep -v '^#' packaging/linux/qt-runtime-packages | paste -sd, - | sed 's/,/, /g')
installed_kib=$(du -sk --exclude=DEBIAN "$tree" | cut -f1)
cat > "$tree/DEBIAN/control" <<EOF
Package: $name
Version: $version
Architecture: $architecture
Maintainer: $maintainer
Installed-Size: $installed_kib
Depends: $depends
Section: net
Priority: optional
Description: editor and checker for Apple VPN configuration profiles
 Creates, opens, checks, signs, encrypts and exports Apple VPN configuration
 profiles (.mobileconfig) with a form for every VPN key Apple documents, live
 validation, undo, and CMS signatures. The command-line tool vpn-profile runs
 the same checks in scripts (validate, convert, show, sign, verify, encrypt,
 decrypt). Works offline; Python and Qt are included.
EOF
(cd "$tree" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' \
  | LC_ALL=C sort -z | xargs -0 md5sum > DEBIAN/md5sums)
chmod 644 "$tree/DEBIAN/control" "$tree/DEBIAN/md5sums"

mkdir -p "$dist"
dpkg-deb --root-owner-group -Zxz --build "$tree" "$deb" > /dev/null
echo "$deb ($(du -h "$deb" | cut -f1))"
