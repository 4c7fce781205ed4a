"""A PDF's structure checked against the limits before pdfplumber lays out any page.

pdfminer parses the file lazily (cross-reference table, page tree); nothing here lets it
decode a stream. Each page's content streams, and the forms they draw (`Do`), are inflated
here with a cap (`limits.MAX_STREAM`: a 1 MB stream inflating to 1 GiB stops at the cap) and
counted as drawn — a stream shared by 250 pages counts 250 times, as the layout would read
it 250 times: bytes of content (`MAX_CONTENT`) and drawing operators (text shown: Tj TJ ' ",
forms drawn: Do; `MAX_TEXT_OPS`). Pages are counted before any is read (`MAX_PAGES`), and a
page tree node listing more children than that is refused before pdfminer parses the list.
"""

from __future__ import annotations

import io
import re
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pdfminer.ascii85 import ascii85decode, asciihexdecode
from pdfminer.lzw import LZWDecoder
from pdfminer.pdfdocument import PDFDocument
from pdfminer.pdfpage import PDFPage
from pdfminer.pdfparser import PDFParser
from pdfminer.pdftypes import PDFStream, resolve1
from pdfminer.psparser import PSLiteral

from . import limits
from .limits import refuse

# operators between delimiters: text shown (Tj TJ ' "), a form or image drawn (/Name Do)
_TEXT_OP = re.compile(rb"(?<![^\s\])>])(?:Tj|TJ|'|\")(?![^\s\[(</%])")
_DO = re.compile(rb"/([^\s/\[\]()<>{}%]+)\s*Do(?![^\s\[(</%])")
_CHUNK = 1 << 16
_KIDS = re.compile(rb"/Kids\s*\[([^\]]*)\]")  # a page tree node's children, as written


@dataclass
class _Cost:
    length: int
    ops: int
    calls: list[bytes] = field(default_factory=list)


class _Scan:
    def __init__(self, path: Path | str | None) -> None:
        self.path = path
        self.content = 0
        self.ops = 0
        self.costs: dict[int, _Cost] = {}

    def drawn(self, stream: Any, resources: Any, depth: int) -> None:
        """Count `stream` as drawn once more, and the forms it draws."""
        if not isinstance(stream, PDFStream):
            return
        key = id(stream) if stream.objid is None else stream.objid
        cost = self.costs.get(key)
        if cost is None:
            data = decoded(stream, self.path)
            cost = self.costs[key] = _Cost(
                len(data), len(_TEXT_OP.findall(data)), _DO.findall(data)
            )
        self.content += cost.length
        self.ops += cost.ops + len(cost.calls)
        if self.content > limits.MAX_CONTENT:
            raise refuse(
                f"PDF 各页绘制的内容共超过 {limits.MAX_CONTENT // 2**20} MB（共用的内容按"
                "每次使用计），超出上限",
                "too much page content",
                self.path,
            )
        if self.ops > limits.MAX_TEXT_OPS:
            raise refuse(
                f"PDF 各页的文字与图形绘制指令共超过 {limits.MAX_TEXT_OPS:,} 条（共用的内容按"
                "每次使用计），超出上限",
                "too many drawing operators",
                self.path,
            )
        if not cost.calls:
            return
        if depth >= limits.MAX_FORM_DEPTH:
            raise refuse(
                f"PDF 的表单对象嵌套超过 {limits.MAX_FORM_DEPTH} 层，超出上限",
                "forms nested too deep",
                self.path,
            )
        xobjects = resolve1(resources.get("XObject")) if isinstance(resources, dict) else None
        if not isinstance(xobjects, dict):
            return
        for name in cost.calls:
            form = resolve1(xobjects.get(name.decode("latin-1")))
            if not isinstance(form, PDFStream) or _name(form.get("Subtype")) != "Form":
                continue
            own = resolve1(form.get("Resources"))
            self.drawn(form, own if isinstance(own, dict) else resources, depth + 1)


def _name(value: Any) -> str | None:
    value = resolve1(value)
    if not isinstance(value, PSLiteral):
        return None
    name = value.name
    return name.decode("latin-1") if isinstance(name, bytes) else name


def check_pdf(data: bytes, path: Path | str | None) -> None:
    """Refuse a PDF over a limit (pages, a stream decoded, content or operators as drawn)."""
    for kids in _KIDS.finditer(data):
        # pdfminer parses a whole array before the first page: 100,000 entries took 15 s
        if kids.group(1).count(b"R") > limits.MAX_PAGES:
            raise refuse(
                f"PDF 页面树的一个节点列出超过 {limits.MAX_PAGES} 项（页数上限 "
                f"{limits.MAX_PAGES}），超出上限",
                "too many pages",
                path,
            )
    document = PDFDocument(PDFParser(io.BytesIO(data)))
    scan = _Scan(path)
    for pages, page in enumerate(PDFPage.create_pages(document), start=1):
        if pages > limits.MAX_PAGES:
            raise refuse(f"PDF 超过 {limits.MAX_PAGES} 页，超出上限", "too many pages", path)
        for stream in page.contents:
            scan.drawn(resolve1(stream), page.resources, 0)


def decoded(stream: PDFStream, path: Path | str | None) -> bytes:
    """The stream's data through its filters, refused past `limits.MAX_STREAM` bytes;
    filters that do not grow data or that pdfplumber leaves alone (images) pass as they are."""
    data = stream.rawdata if stream.data is None else stream.data
    if data is None:
        return b""
    if stream.decipher and stream.data is None and stream.objid is not None:
        data = stream.decipher(stream.objid, stream.genno or 0, data, stream.attrs)
    cap = limits.MAX_STREAM
    for f, _params in stream.get_filters():
        name = _name(f)
        if name in ("FlateDecode", "Fl"):
            data = _inflate(data, cap)
        elif name in ("LZWDecode", "LZW"):
            data = _capped(LZWDecoder(io.BytesIO(data)).run(), cap)
        elif name in ("RunLengthDecode", "RL"):
            data = _unrun(data, cap)
        elif name in ("ASCII85Decode", "A85"):
            data = ascii85decode(data)
        elif name in ("ASCIIHexDecode", "AHx"):
            data = asciihexdecode(data)
        else:
            break
        if len(data) > cap:
            raise refuse(
                f"PDF 中的一个数据流（对象 {stream.objid}）解压后超过 {cap // 2**20} MB，超出上限",
                "stream too large when decoded",
                path,
            )
    return data


def _inflate(data: bytes, cap: int) -> bytes:
    """Inflated up to `cap` + 1 bytes; a damaged stream gives what came before the damage
    (as pdfminer reads it)."""
    z = zlib.decompressobj()
    out = bytearray()
    for start in range(0, len(data), _CHUNK):
        try:
            out += z.decompress(data[start : start + _CHUNK], cap + 1 - len(out))
        except zlib.error:
            break
        if len(out) > cap or z.eof:
            break
    return bytes(out)


def _capped(chunks: Any, cap: int) -> bytes:
    out = bytearray()
    for chunk in chunks:
        out += chunk
        if len(out) > cap:
            break
    return bytes(out)


def _unrun(data: bytes, cap: int) -> bytes:
    """RunLengthDecode up to `cap` + 1 bytes."""
    out = bytearray()
    i = 0
    while i < len(data) and len(out) <= cap:
        n = data[i]
        if n == 128:
            break
        if n < 128:
            out += data[i + 1 : i + 2 + n]
            i += n + 2
        else:
            out += data[i + 1 : i + 2] * (257 - n)
            i += 2
    return bytes(out)
