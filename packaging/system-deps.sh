#!/usr/bin/env bash
# The Debian/Ubuntu libraries Qt 6 needs to draw a window (and, with --test, what the test
# suite needs to take screenshots on a virtual screen, to validate the desktop files, and to
# run a real Secret Service on a private D-Bus).
# Installs only what is missing, so on a desktop that already has them it does nothing and
# needs no privileges.
set -euo pipefail

# library file -> Debian package that provides it
libs=(
    "libEGL.so.1:libegl1"
    "libGL.so.1:libgl1"
    "libfontconfig.so.1:libfontconfig1"
    "libxkbcommon.so.0:libxkbcommon0"
    "libxkbcommon-x11.so.0:libxkbcommon-x11-0"
    "libdbus-1.so.3:libdbus-1-3"
    "libglib-2.0.so.0:libglib2.0-0"
    "libxcb-cursor.so.0:libxcb-cursor0"
    "libxcb-icccm.so.4:libxcb-icccm4"
    "libxcb-keysyms.so.1:libxcb-keysyms1"
    "libxcb-image.so.0:libxcb-image0"
    "libxcb-render-util.so.0:libxcb-render-util0"
    "libxcb-shape.so.0:libxcb-shape0"
    "libX11-xcb.so.1:libx11-xcb1"
)
missing=()
for entry in "${libs[@]}"; do
    file="${entry%%:*}"
    package="${entry#*:}"
    if ! ldconfig -p 2>/dev/null | grep -q "/${file}\$"; then
        missing+=("$package")
    fi
done
if ! fc-list 2>/dev/null | grep -q .; then
    missing+=("fonts-dejavu-core" "fontconfig")
fi
if [[ "${1:-}" == "--test" ]] && ! command -v Xvfb >/dev/null 2>&1; then
    missing+=("xvfb")
fi
# the validators the packaging test runs on the .desktop file and the AppStream metainfo
if [[ "${1:-}" == "--test" ]] && ! command -v appstreamcli >/dev/null 2>&1; then
    missing+=("appstream")
fi
if [[ "${1:-}" == "--test" ]] && ! command -v desktop-file-validate >/dev/null 2>&1; then
    missing+=("desktop-file-utils")
fi
# tests/integration/conftest.py starts a private D-Bus session bus and a gnome-keyring
# Secret Service on it, so the keyring adapter is tested against the real thing
if [[ "${1:-}" == "--test" ]] && ! command -v dbus-daemon >/dev/null 2>&1; then
    missing+=("dbus")
fi
if [[ "${1:-}" == "--test" ]] && ! command -v gnome-keyring-daemon >/dev/null 2>&1; then
    missing+=("gnome-keyring")
fi

if ((${#missing[@]} == 0)); then
    exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "Followup Desk needs these libraries for its window: ${missing[*]}." >&2
    echo "Install them with your system's package manager, then run this again." >&2
    exit 1
fi
if [[ "$(id -u)" == "0" ]]; then
    sudo=()
elif command -v sudo >/dev/null 2>&1; then
    sudo=(sudo)
else
    echo "Followup Desk needs: ${missing[*]}. Ask an administrator to run:" >&2
    echo "  apt-get install ${missing[*]}" >&2
    exit 1
fi
echo "Installing the system libraries Qt needs: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
