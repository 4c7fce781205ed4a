#!/usr/bin/env bash
# Install the Debian packages the project needs (as root), or print the exact command to run.
# Checks first, so an already prepared machine is not touched.
set -euo pipefail

# fonts: Noto Serif/Sans CJK SC (the title; what the Fandol faces lack, 硚), AR PL UKai (楷, a
# fallback); the body faces (Fandol 仿宋/黑/楷/宋) come from scripts/fetch-fonts.sh
PACKAGES=(fonts-noto-cjk fonts-arphic-ukai chromium poppler-utils fontconfig python3-venv make)
missing=()

have_pkg() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }

for pkg in "${PACKAGES[@]}"; do
  case "$pkg" in
    python3-venv) python3 -c "import ensurepip, venv" 2>/dev/null && continue ;;
    make) command -v make >/dev/null && continue ;;
    chromium) [ -x /usr/bin/chromium ] && continue ;;
    poppler-utils) command -v pdftotext >/dev/null && command -v pdffonts >/dev/null && continue ;;
    fonts-noto-cjk) fc-list 2>/dev/null | grep -q "Noto Serif CJK SC" && continue ;;
    fonts-arphic-ukai) fc-list 2>/dev/null | grep -q "AR PL UKai" && continue ;;
  esac
  have_pkg "$pkg" || missing+=("$pkg")
done

[ ${#missing[@]} -eq 0 ] && exit 0

cmd="apt-get install -y --no-install-recommends ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
  echo "缺少系统软件包 (missing Debian packages): ${missing[*]}" >&2
  echo "请以 root 运行 (run as root):  sudo apt-get update && sudo $cmd" >&2
  exit 1
fi
echo "安装系统软件包 (installing): ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
$cmd
