"""A page's text with its spaces taken out, each character mapped back to its place: how the
alignment (`align`) and the appendix finder (`appendix`) compare a page with the template,
whatever spaces a page prints inside labels (`社会公益 组织`) or between cells."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_ROW_MARK = re.compile(r"(?<=\d)、")
_ORDINAL_MARK = re.compile(r"(?<=[一二三四五六七八九十])\.(?=[\u4e00-\u9fff])")


def _nfkc(ch: str) -> str:
    return unicodedata.normalize("NFKC", ch)[:1] or ch


@lru_cache(maxsize=4096)
def squeeze(label: str) -> str:
    """A template label as `Squeezed` holds the page: no spaces, each character NFKC'd."""
    return "".join(_nfkc(ch) for ch in label if not ch.isspace())


class Squeezed:
    """A text without whitespace, each character mapped back to its place in the original."""

    def __init__(self, text: str) -> None:
        self.original = text
        keep = [i for i, ch in enumerate(text) if not ch.isspace()]
        self.index = keep
        # 1、属于… is the template's 1.属于…, 一．本年新收… its 一、本年新收… (one character
        # for one: positions still map)
        squeezed = _ROW_MARK.sub(".", "".join(_nfkc(text[i]) for i in keep))
        self.text = _ORDINAL_MARK.sub("、", squeezed)

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Original (start, end) of squeezed [start, end)."""
        return self.index[start], self.index[end - 1] + 1
