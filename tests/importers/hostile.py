"""Hostile inputs for the importers' limits: small files that cost a parser far more than their
size (issue 17 item 3). Used by the limit tests (small sizes, lowered caps) and by
`benchmarks/fuzz.py --group hostile` (the sizes of the reproductions)."""

from __future__ import annotations

import zlib

from ..base import IMPORT_FIXTURES
from .pdfs import _pdf

_FONT = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"
_RESOURCES = b" /Resources << /Font << /F1 %d 0 R >> >> "


def text_ops(ops: int) -> bytes:
    """A content stream of `ops` text-showing operators, each on its own line of the page."""
    return b"".join(
        b"BT /F1 9 Tf %d %d Td (r%d) Tj ET\n" % (40 + 60 * (i % 9), 800 - 10 * (i // 9 % 78), i)
        for i in range(ops)
    )


def _deflate(data: bytes) -> bytes:
    return zlib.compress(data, 9)


def _stream(raw: bytes, filters: bytes = b"") -> bytes:
    head = b"<< /Length %d" % len(raw) + (b" /Filter " + filters if filters else b"") + b" >>"
    return head + b"\nstream\n" + raw + b"\nendstream"


def shared_stream_pdf(pages: int, ops: int = 4000) -> bytes:
    """`pages` pages all drawing one compressed content stream of `ops` text operators
    (a 50 KB file of 250 pages took 5 min 34 s and 6.47 GB before the limits)."""
    kids = b" ".join(b"%d 0 R" % (5 + i) for i in range(pages))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, pages),
        _stream(_deflate(text_ops(ops)), b"/FlateDecode"),
        _FONT,
    ]
    page = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 3 0 R"
    objects += [page + _RESOURCES % 4 + b">>"] * pages
    return _pdf(objects)


def _bomb(size: int) -> bytes:
    """`size` blank bytes deflated, in pieces (the whole never sits in memory)."""
    z = zlib.compressobj(9)
    chunk = b" " * min(size, 2**20)
    out = [z.compress(chunk) for _ in range(size // len(chunk))]
    out.append(z.compress(b" " * (size % len(chunk))))
    out.append(z.flush())
    return b"".join(out)


def inflate_bomb_pdf(size: int, *, twice: bool = False) -> bytes:
    """One page whose content stream inflates to `size` bytes (1 GiB from ≈ 1 MB; `twice`:
    deflated two times over, so the file is a thousand times smaller again)."""
    raw = _bomb(size)
    filters = b"/FlateDecode"
    if twice:
        raw, filters = _deflate(raw), b"[/FlateDecode /FlateDecode]"
    return _pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
            _stream(raw, filters),
        ]
    )


def xobject_pdf(calls: int, ops: int = 100) -> bytes:
    """One page drawing one form XObject of `ops` text operators `calls` times."""
    form = _stream(
        _deflate(text_ops(ops)),
        b"/FlateDecode /Type /XObject /Subtype /Form /BBox [0 0 595 842]"
        b" /Resources << /Font << /F1 5 0 R >> >>",
    )
    content = b"".join(b"q /X1 Do Q\n" for _ in range(calls))
    return _pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R"
            b" /Resources << /XObject << /X1 6 0 R >> /Font << /F1 5 0 R >> >> >>",
            _stream(_deflate(content), b"/FlateDecode"),
            _FONT,
            form,
        ]
    )


def many_pages_pdf(pages: int, per_node: int = 0) -> bytes:
    """`pages` empty pages, each its own object (pdfminer reads a page listed twice once);
    `per_node`: listed by intermediate nodes of that many pages each, not all by the root."""
    page = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>"
    if not per_node:
        kids = b" ".join(b"%d 0 R" % (3 + i) for i in range(pages))
        return _pdf(
            [
                b"<< /Type /Catalog /Pages 2 0 R >>",
                b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, pages),
                *[page] * pages,
            ]
        )
    nodes = -(-pages // per_node)
    first_page = 3 + nodes
    tree = []
    for n in range(nodes):
        ids = range(first_page + n * per_node, first_page + min(pages, (n + 1) * per_node))
        kids = b" ".join(b"%d 0 R" % i for i in ids)
        tree.append(b"<< /Type /Pages /Parent 2 0 R /Kids [%s] /Count %d >>" % (kids, len(ids)))
    root = b" ".join(b"%d 0 R" % (3 + n) for n in range(nodes))
    return _pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [%s] /Count %d >>" % (root, pages),
            *tree,
            *[page] * pages,
        ]
    )


def nested_html(depth: int, tag: str = "div") -> bytes:
    """`depth` unclosed nested elements around one line of text (1M levels: 3 MB)."""
    return (
        b"<html><body>" + f"<{tag}>".encode() * depth + "一、总体情况".encode() + b"</body></html>"
    )


def wide_table_html(cells: int, columns: int = 10_000) -> bytes:
    """One table of `cells` cells, `columns` to a row."""
    rows = []
    for start in range(0, cells, columns):
        rows.append(b"<tr>" + b"<td>1</td>" * min(columns, cells - start) + b"</tr>")
    return b"<html><body><table>" + b"".join(rows) + b"</table></body></html>"


def many_elements_html(elements: int) -> bytes:
    """`elements` sibling paragraphs, none nested."""
    return b"<html><body>" + b"<p>1</p>" * elements + b"</body></html>"


def long_line_text(chars: int) -> bytes:
    """One line of `chars` characters: digits and table labels run together."""
    unit = "本年新收政府信息公开申请数量12345其他"
    return (unit * (chars // len(unit))).encode()


def repeated_report(chars: int, *, flat: bool = False) -> bytes:
    """The seed report's text repeated to about `chars` characters (`flat`: all on one line,
    as crawlers save pages): every heading, table and figure many times over."""
    text = (IMPORT_FIXTURES / "seed.txt").read_text(encoding="utf-8")
    if flat:
        text = " ".join(text.split())
    return ((text + "\n") * (chars // (len(text) + 1))).encode()


def repeated_page(elements: int) -> bytes:
    """The seed page's body repeated to about `elements` elements."""
    page = (IMPORT_FIXTURES / "seed.html").read_text(encoding="utf-8")
    body = page[page.index("<body") : page.rindex("</body>")]
    body = body[body.index(">") + 1 :]
    times = max(1, elements // body.count("<"))
    return ("<html><body>" + body * times + "</body></html>").encode()


def unclosed_flood(tags: int) -> bytes:
    """`tags` unclosed inline tags then as many end tags of another name (closing nothing)."""
    return b"<html><body>" + b"<b>" * tags + b"</i>" * tags + b"</body></html>"


def runlength_bomb_pdf(size: int) -> bytes:
    """One page whose content stream is run-length coded: 2 bytes for every 128 of output."""
    raw = b"\x81 " * (size // 128) + b"\x80"
    return _pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
            _stream(raw, b"/RunLengthDecode"),
        ]
    )


def self_drawing_form_pdf() -> bytes:
    """A form XObject that draws itself (pdfminer would recurse until Python stops it)."""
    form = _stream(
        _deflate(b"BT /F1 9 Tf 72 720 Td (x) Tj ET /X1 Do"),
        b"/FlateDecode /Type /XObject /Subtype /Form /BBox [0 0 595 842]"
        b" /Resources << /XObject << /X1 6 0 R >> /Font << /F1 5 0 R >> >>",
    )
    return _pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R"
            b" /Resources << /XObject << /X1 6 0 R >> >> >>",
            _stream(b"/X1 Do"),
            _FONT,
            form,
        ]
    )


def deep_page_tree_pdf(depth: int) -> bytes:
    """A page tree `depth` levels deep, one page at the bottom."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>"]
    for level in range(depth):
        objects.append(b"<< /Type /Pages /Kids [%d 0 R] /Count 1 >>" % (3 + level))
    objects.append(b"<< /Type /Page /MediaBox [0 0 595 842] >>")
    return _pdf(objects)


def long_paragraph_html(chars: int) -> bytes:
    """One paragraph of `chars` characters (`long_line_text`'s) in a page."""
    return b"<html><body><p>" + long_line_text(chars) + b"</p></body></html>"


def big_sheet_xlsx(cells: int, columns: int = 100) -> bytes:
    """A workbook whose one sheet holds `cells` numbers (a 20 MB sheet part: ≈ 700,000),
    compressed as spreadsheets are (far below a zip bomb's ratio)."""
    import io
    import zipfile

    rows = []
    for r in range(cells // columns):
        row = "".join(f'<c r="{_column(c)}{r + 1}"><v>{r * c}</v></c>' for c in range(columns))
        rows.append(f'<row r="{r + 1}">{row}</row>')
    sheet = (
        '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org'
        '/spreadsheetml/2006/main"><sheetData>' + "".join(rows) + "</sheetData></worksheet>"
    )
    main = "http://schemas.openxmlformats.org"
    parts = {
        "[Content_Types].xml": f'<?xml version="1.0"?><Types xmlns="{main}/package/2006/'
        'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-'
        'package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/'
        'sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.'
        'worksheet+xml"/></Types>',
        "_rels/.rels": f'<?xml version="1.0"?><Relationships xmlns="{main}/package/2006/'
        f'relationships"><Relationship Id="rId1" Type="{main}/officeDocument/2006/'
        'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": f'<?xml version="1.0"?><workbook xmlns="{main}/spreadsheetml/2006/'
        f'main" xmlns:r="{main}/officeDocument/2006/relationships"><sheets><sheet name="封面"'
        ' sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": f'<?xml version="1.0"?><Relationships xmlns="{main}/'
        f'package/2006/relationships"><Relationship Id="rId1" Type="{main}/officeDocument/'
        '2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
        "xl/worksheets/sheet1.xml": sheet,
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in parts.items():
            z.writestr(name, text.encode())
    return out.getvalue()


def _column(index: int) -> str:
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(65 + rest) + name
    return name


def font_bomb_pdf(size: int) -> bytes:
    """One page of text whose font's ToUnicode map inflates to `size` bytes: a stream the
    structure check does not inflate (it is no page content), left to the memory limit."""
    return _pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R"
            + _RESOURCES % 5
            + b">>",
            _stream(b"BT /F1 12 Tf 72 720 Td (Annual report) Tj ET"),
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /ToUnicode 6 0 R >>",
            _stream(_bomb(size), b"/FlateDecode"),
        ]
    )
