#!/usr/bin/env bash
# Install the VPN Profile Editor folder and make it the editor of .mobileconfig files.
#
#   ./install.sh                      for the current user: ~/.local/lib, ~/.local/bin,
#                                     ${XDG_DATA_HOME:-~/.local/share}
#   sudo ./install.sh --system        for every user: /opt, /usr/local/bin, /usr/local/share
#   ./install.sh --uninstall [--system]
#   ./install.sh --bundle DIR         install the bundle in DIR (default: this script's
#                                     folder when it is a bundle, else ../../dist/...)
#
# It copies the folder, links both commands (vpn-profile-editor, vpn-profile) into the
# bin folder, installs the .desktop file (with Exec pointing at the installed copy), the
# MIME type definition and the icons, refreshes the desktop, MIME and icon caches where
# those tools exist, and, for the current user, makes the editor the default application
# for its MIME types. Nothing here needs the network.
set -euo pipefail

name=vpn-profile-editor
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
if [ -x "$here/$name" ]; then
  bundle=$here
else
  bundle=$(cd "$here/../.." && pwd)/dist/$name
fi
scope=user
action=install

usage() { sed -n '2,12s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"; }
while [ $# -gt 0 ]; do
  case $1 in
    --user) scope=user ;;
    --system) scope=system ;;
    --uninstall) action=uninstall ;;
    --bundle) bundle=$(cd "$2" && pwd); shift ;;
    -h | --help) usage; exit 0 ;;
    *) echo "install.sh: unknown option $1" >&2; usage >&2; exit 2 ;;
  esac
  shift
done

if [ "$scope" = system ]; then
  data=/usr/local/share
  bin=/usr/local/bin
  app_dir=/opt/$name
else
  data=${XDG_DATA_HOME:-$HOME/.local/share}
  bin=$HOME/.local/bin
  app_dir=$HOME/.local/lib/$name
fi
desktop_source=$here/$name.desktop
mime_source=$here/$name.xml
[ -f "$desktop_source" ] || desktop_source=$bundle/$name.desktop
[ -f "$mime_source" ] || mime_source=$bundle/$name.xml

# The MIME types come from the .desktop file, which is generated from the app's type list.
mime_types=$(sed -n 's/^MimeType=//p' "$desktop_source" | tr ';' ' ')

refresh() {
  if command -v update-mime-database >/dev/null; then
    update-mime-database "$data/mime"
  fi
  if command -v update-desktop-database >/dev/null; then
    update-desktop-database -q "$data/applications" || true
  fi
  if command -v gtk-update-icon-cache >/dev/null; then
    gtk-update-icon-cache -q -t -f "$data/icons/hicolor" 2>/dev/null || true
  fi
}

icon_targets() {  # "source destination" pairs, one a line
  local icons=$1 png size type
  for png in "$icons/$name"-*.png; do
    size=${png##*-}
    size=${size%.png}
    echo "$png $data/icons/hicolor/${size}x${size}/apps/$name.png"
    for type in $mime_types; do
      echo "$png $data/icons/hicolor/${size}x${size}/mimetypes/${type//\//-}.png"
    done
  done
  echo "$icons/$name.svg $data/icons/hicolor/scalable/apps/$name.svg"
  for type in $mime_types; do
    echo "$icons/$name.svg $data/icons/hicolor/scalable/mimetypes/${type//\//-}.svg"
  done
}

if [ "$action" = uninstall ]; then
  for command in "$name" vpn-profile; do
    if [ -L "$bin/$command" ] && [ "$(readlink "$bin/$command")" = "$app_dir/$command" ]; then
      rm -f "$bin/$command"
    fi
  done
  rm -f "$data/applications/$name.desktop" "$data/mime/packages/$name.xml"
  if [ -d "$app_dir/_internal/resources/icons" ]; then
    while read -r _source target; do rm -f "$target"; done \
      < <(icon_targets "$app_dir/_internal/resources/icons")
  fi
  rm -rf "$app_dir"
  mkdir -p "$data/mime/packages" "$data/applications"
  refresh
  echo "Removed $name ($scope)."
  exit 0
fi

if [ ! -x "$bundle/$name" ]; then
  echo "install.sh: no built bundle at $bundle; build it first (packaging/build-linux.sh)" >&2
  exit 1
fi

if [ "$bundle" != "$app_dir" ]; then
  rm -rf "$app_dir"
  mkdir -p "$(dirname "$app_dir")"
  cp -a "$bundle" "$app_dir"
fi
mkdir -p "$bin" "$data/applications" "$data/mime/packages"
ln -sfn "$app_dir/$name" "$bin/$name"
ln -sfn "$app_dir/vpn-profile" "$bin/vpn-profile"

# The .desktop file, with Exec and TryExec pointing at the installed executable.
while IFS= read -r line; do
  case $line in
    Exec=$name*) echo "Exec=\"$app_dir/$name\"${line#Exec="$name"}" ;;
    TryExec=*) echo "TryExec=$app_dir/$name" ;;
    *) echo "$line" ;;
  esac
done < "$desktop_source" > "$data/applications/$name.desktop"
chmod 644 "$data/applications/$name.desktop"

install -m 644 "$mime_source" "$data/mime/packages/$name.xml"
while read -r source target; do
  install -D -m 644 "$source" "$target"
done < <(icon_targets "$app_dir/_internal/resources/icons")
refresh

if [ "$scope" = user ] && command -v xdg-mime >/dev/null; then
  for type in $mime_types; do
    xdg-mime default "$name.desktop" "$type" || true
  done
fi

echo "Installed $name ($scope) in $app_dir; commands linked in $bin."
case ":$PATH:" in
  *":$bin:"*) ;;
  *) echo "Note: $bin is not on PATH; add it to run vpn-profile-editor and vpn-profile." ;;
esac
