#!/usr/bin/env bash
# Build the Linux bundle with PyInstaller, then check that it works as shipped.
#
#   bash packaging/build-linux.sh            build into dist/ (work files in build/)
#   DIST=/tmp/d WORK=/tmp/w bash packaging/build-linux.sh
#
# Needs the `build` extra (pip install -e ".[build]"), binutils, and for the checks
# desktop-file-utils, shared-mime-info, xdg-utils and libfile-mimeinfo-perl
# (packaging/dev-setup.sh installs all of them). Checks, in order:
#   - the folder holds both executables and stays at or under MAX_MIB;
#   - no bundled library needs a library that is neither bundled nor on this system;
#   - `--version` of both executables prints editor/__init__.py's version;
#   - the editor renders a screenshot of a signed corpus profile (offscreen);
#   - a second launch of the editor hands its file to the running one (QtNetwork works);
#   - `vpn-profile validate|show|verify` from the bundle print exactly what they print
#     when run from source, with the same exit status;
#   - the bundle writes the checked schema to its cache folder once and then reads it;
#   - the .desktop file passes desktop-file-validate;
#   - install.sh into a scratch home: update-mime-database ran, `xdg-mime query filetype`
#     names application/x-apple-aspen-config for signed and unsigned profiles, the editor
#     is the default for that type, the installed .desktop file validates, the linked
#     commands run; then --uninstall removes it all;
#   - start time of the bundle next to running from source (printed, and a gross
#     slowdown fails).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
python=${PYTHON:-$root/.venv/bin/python}
dist=${DIST:-$root/dist}
work=${WORK:-$root/build}
corpus=${CORPUS:-$root/../shared/corpus/vpn-profiles}
max_mib=${MAX_MIB:-150}
name=vpn-profile-editor
mime_type=application/x-apple-aspen-config
bundle=$dist/$name

step() { printf '== %s\n' "$*"; }
fail() { printf 'FAIL: %s\n' "$*" >&2; exit 1; }

scratch=$(mktemp -d)
first_editor=""
cleanup() {
  if [ -n "$first_editor" ]; then kill "$first_editor" 2>/dev/null || true; fi
  rm -rf "$scratch"
}
trap cleanup EXIT
export LANG=C.UTF-8 QT_QPA_PLATFORM=offscreen
# Every editor started here gets a private home, runtime and temp folder: none of them
# may find (and hand its files to) an editor the user is running.
export HOME=$scratch/home XDG_RUNTIME_DIR=$scratch/run TMPDIR=$scratch/tmp
export XDG_DATA_HOME=$scratch/home/.local/share XDG_CONFIG_HOME=$scratch/home/.config
export XDG_DATA_DIRS=$scratch/no-system-data
mkdir -p "$HOME" "$XDG_RUNTIME_DIR" "$TMPDIR" && chmod 700 "$XDG_RUNTIME_DIR"

step "build ($("$python" -m PyInstaller --version 2>/dev/null || echo 'PyInstaller missing'))"
started=$SECONDS
"$python" -m PyInstaller --noconfirm --log-level WARN \
  --distpath "$dist" --workpath "$work" packaging/vpn-profile-editor.spec
echo "built in $((SECONDS - started)) s: $bundle"

step "contents and size"
for executable in "$name" vpn-profile; do
  [ -x "$bundle/$executable" ] || fail "$bundle/$executable is missing"
done
# the offline help (Help > Contents) and the pictures its pages show
for page in help/README.md help/docs/validation-rules.md help/docs/images/editor-ikev2.png; do
  [ -f "$bundle/_internal/$page" ] || fail "$page is missing from the bundle"
done
size_mib=$(du -sm "$bundle" | cut -f1)
echo "$(du -sh "$bundle" | cut -f1) ($size_mib MiB), $(find "$bundle" -type f | wc -l) files"
[ "$size_mib" -le "$max_mib" ] || fail "the bundle is $size_mib MiB, over $max_mib MiB"

step "libraries resolve"
missing=$(find "$bundle" -type f -name '*.so*' | while read -r library; do
  LD_LIBRARY_PATH=$bundle/_internal:$bundle/_internal/PySide6/Qt/lib ldd "$library" 2>/dev/null \
    | grep 'not found' | sed "s|^|$library: |" || true
done)
[ -z "$missing" ] || fail "unresolved libraries:"$'\n'"$missing"

step "--version"
version=$("$python" -c 'import editor; print(editor.__version__)')
[ "$("$bundle/$name" --version)" = "$name $version" ] || fail "$name --version"
[ "$("$bundle/vpn-profile" --version)" = "vpn-profile $version" ] || fail "vpn-profile --version"
echo "both print $version"

# SIGNED and UNSIGNED name other profiles (the tests make their own when the corpus is absent)
signed=${SIGNED:-$corpus/designdeveloperr-ikev2__ios.signed.mobileconfig}
unsigned=${UNSIGNED:-$corpus/designdeveloperr-ikev2__ios.unsigned.mobileconfig}
[ -f "$signed" ] || fail "the signed profile $signed is missing"
[ -f "$unsigned" ] || fail "the unsigned profile $unsigned is missing"

step "--screenshot of $(basename "$signed")"
"$bundle/$name" --screenshot "$scratch/shot.png" "$signed" 2> "$scratch/shot.err" \
  || { cat "$scratch/shot.err" >&2; fail "the screenshot run failed"; }
! grep -q Traceback "$scratch/shot.err" || fail "the screenshot run printed a traceback"
"$python" - "$scratch/shot.png" <<'EOF' || fail "the screenshot is not a 1200×800 PNG"
import struct, sys
data = open(sys.argv[1], "rb").read()
assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
width, height = struct.unpack(">II", data[16:24])
assert (width, height) == (1200, 800), (width, height)
print(f"{len(data)} bytes, {width}×{height}")
EOF

step "a second launch hands its file to the running editor"
wait_for_line() {  # FILE TEXT SECONDS
  local waited=0
  until grep -qF -- "$2" "$1"; do
    sleep 0.2
    waited=$((waited + 1))
    [ "$waited" -lt $(($3 * 5)) ] || { cat "$1" >&2; fail "no '$2' in $(basename "$1")"; }
  done
}
cp "$signed" "$scratch/handed.mobileconfig"
VPN_PROFILE_EDITOR_TRACE=1 "$bundle/$name" 2> "$scratch/first.err" &
first_editor=$!
wait_for_line "$scratch/first.err" "$name: listening on " 60
timeout 60 "$bundle/$name" "$scratch/handed.mobileconfig" || fail "the second launch failed"
wait_for_line "$scratch/first.err" "$name: opened $scratch/handed.mobileconfig" 30
kill "$first_editor" && wait "$first_editor" 2>/dev/null || true
first_editor=""
echo "the running editor opened it; the second launch exited 0"

step "vpn-profile from the bundle matches vpn-profile from source"
compare() {  # run one CLI command both ways; outputs and exit status must agree
  local frozen=0 source=0
  "$bundle/vpn-profile" "$@" > "$scratch/frozen.out" 2>&1 || frozen=$?
  "$python" -m editor.cli "$@" > "$scratch/source.out" 2>&1 || source=$?
  if [ "$frozen" != "$source" ] || ! cmp -s "$scratch/frozen.out" "$scratch/source.out"; then
    diff "$scratch/source.out" "$scratch/frozen.out" >&2 || true
    fail "vpn-profile $* differs (exit $frozen from the bundle, $source from source)"
  fi
  echo "vpn-profile $1 … → exit $frozen, $(wc -l < "$scratch/frozen.out") lines"
}
compare validate "$signed" "$unsigned"
compare validate --format json --target ios:17 "$signed"
compare show "$signed"
compare verify "$signed"

step "the bundle keeps the checked schema in its cache and reads it back"
cache_home=$scratch/bundle-cache
cache=$cache_home/vpn-profile-editor/schema.pickle
XDG_CACHE_HOME=$cache_home "$bundle/vpn-profile" validate "$unsigned" > /dev/null || true
[ -s "$cache" ] || fail "no schema cache at $cache after a run"
written=$(stat -c %y "$cache")
sleep 1
XDG_CACHE_HOME=$cache_home "$bundle/vpn-profile" validate "$unsigned" > /dev/null || true
[ "$(stat -c %y "$cache")" = "$written" ] \
  || fail "the second run wrote the schema cache again instead of reading it"
echo "$(wc -c < "$cache") bytes, read back unchanged"

step "desktop-file-validate"
desktop-file-validate "packaging/linux/$name.desktop"
for file in install.sh "$name.desktop" "$name.xml"; do
  cmp -s "packaging/linux/$file" "$bundle/$file" || fail "$file is not in the bundle"
done
echo "ok"

step "install.sh --user into a scratch home"
"$bundle/install.sh" --user
installed=$HOME/.local/lib/$name
desktop-file-validate "$XDG_DATA_HOME/applications/$name.desktop"
grep -qx "Exec=\"$installed/$name\" %F" "$XDG_DATA_HOME/applications/$name.desktop" \
  || fail "the installed .desktop file does not start the installed copy"
grep -q '^\*\.mobileconfig$\|:\*\.mobileconfig$' "$XDG_DATA_HOME/mime/globs2" \
  || fail "update-mime-database did not record *.mobileconfig"
for profile in "$signed" "$unsigned"; do
  cp "$profile" "$scratch/$(basename "$profile")"
  found=$(xdg-mime query filetype "$scratch/$(basename "$profile")")
  [ "$found" = "$mime_type" ] || fail "xdg-mime says $found for $(basename "$profile")"
done
default=$(xdg-mime query default "$mime_type")
[ "$default" = "$name.desktop" ] || fail "the default application is '$default'"
[ -f "$XDG_DATA_HOME/icons/hicolor/48x48/apps/$name.png" ] || fail "no 48×48 icon"
[ -f "$XDG_DATA_HOME/icons/hicolor/scalable/mimetypes/${mime_type//\//-}.svg" ] \
  || fail "no icon for the MIME type"
[ "$("$HOME/.local/bin/vpn-profile" --version)" = "vpn-profile $version" ] \
  || fail "the linked vpn-profile does not run"
echo "xdg-mime: $mime_type for signed and unsigned profiles; default: $default"

step "install.sh --uninstall"
"$installed/install.sh" --user --uninstall
[ ! -e "$installed" ] && [ ! -e "$XDG_DATA_HOME/applications/$name.desktop" ] \
  && [ ! -e "$HOME/.local/bin/vpn-profile" ] \
  && [ ! -e "$XDG_DATA_HOME/icons/hicolor/48x48/apps/$name.png" ] \
  || fail "--uninstall left files behind"
[ "$(xdg-mime query filetype "$scratch/$(basename "$signed")")" != "$mime_type" ] \
  || fail "the MIME type is still known after --uninstall"

step "start time (screenshot of the signed profile, median of 5)"
median_seconds() {
  "$python" - "$@" <<'EOF'
import statistics, subprocess, sys, time
runs = []
for _ in range(5):
    started = time.perf_counter()
    subprocess.run(sys.argv[1:], check=True, capture_output=True)
    runs.append(time.perf_counter() - started)
print(f"{statistics.median(runs):.2f}")
EOF
}
frozen=$(median_seconds "$bundle/$name" --screenshot "$scratch/f.png" "$signed")
source=$(median_seconds "$python" -m editor.app.application --screenshot "$scratch/s.png" "$signed")
echo "bundle ${frozen} s, from source ${source} s"
# Only a gross slowdown fails (a one-file build unpacking itself would): this machine is shared.
"$python" -c "import sys; sys.exit(float('$frozen') > 1.5 * float('$source') + 0.5)" \
  || fail "the bundle starts much slower than the source"

step "all checks passed"
