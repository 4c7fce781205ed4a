#!/usr/bin/env bash
# The Fandol faces (仿宋, 黑体, 楷体, 宋体; GPL with the font exception) for the PDF, taken out of
# Debian's texlive-lang-chinese into fonts/fandol/ (not committed: 31 MB). Only the .deb is
# downloaded (49 MB, `apt-get download`, no root) and the fonts extracted from it (`dpkg-deb`):
# installing the package would pull TeX Live in (22 packages, 265 MB). Checks first, so an
# already prepared checkout is not touched. Without apt (not Debian) it says what is missing
# and the PDF falls back to the system faces (`python -m disclosure_lib.rendering.pdf_fonts`).
set -euo pipefail

DEST="$(cd "$(dirname "$0")/.." && pwd)/fonts/fandol"
FACES=(FandolFang-Regular FandolHei-Regular FandolKai-Regular FandolSong-Regular FandolSong-Bold)

have_all() {
  for face in "${FACES[@]}"; do [ -s "$DEST/$face.otf" ] || return 1; done
}
have_all && exit 0

if ! command -v apt-get >/dev/null || ! command -v dpkg-deb >/dev/null; then
  echo "未找到 apt-get/dpkg-deb，无法取得 Fandol 字体（仿宋等）；PDF 将改用系统字体" \
    "(no apt: the Fandol faces are missing, the PDF uses system faces)" >&2
  exit 0
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
echo "下载 Fandol 字体 (fetching the Fandol faces from texlive-lang-chinese)…" >&2
(cd "$work" && apt-get download -qq texlive-lang-chinese 2>/dev/null) || {
  echo "下载 texlive-lang-chinese 失败；请先运行 apt-get update" \
    "(download failed: run apt-get update first)" >&2
  exit 1
}
patterns=()
for face in "${FACES[@]}"; do patterns+=("*/fandol/$face.otf"); done
dpkg-deb --fsys-tarfile "$work"/texlive-lang-chinese_*.deb \
  | tar -x -C "$work" --wildcards "${patterns[@]}" '*/doc/*/fandol/README'
mkdir -p "$DEST.tmp"
find "$work/usr" -path '*fandol/*' -type f -exec cp {} "$DEST.tmp/" \;
rm -rf "$DEST" && mv "$DEST.tmp" "$DEST"
have_all
echo "Fandol 字体已就绪 (ready): $DEST" >&2
