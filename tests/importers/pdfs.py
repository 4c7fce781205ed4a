"""Minimal hand-written PDFs for the importer's tests (a text layer, or none as in a scan)."""

from __future__ import annotations


def _pdf(objects: list[bytes]) -> bytes:
    """A PDF of `objects` (numbered from 1; 1 is the catalog) with a correct xref table."""
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def _page(content: bytes, resources: bytes = b"") -> list[bytes]:
    return [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R" + resources + b">>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
    ]


def text_pdf(lines: list[str]) -> bytes:
    """A one-page PDF with a text layer (Helvetica, ASCII lines)."""
    ops = "".join(f"BT /F1 12 Tf 72 {760 - 16 * i} Td ({t}) Tj ET\n" for i, t in enumerate(lines))
    objects = _page(ops.encode("latin-1"), b" /Resources << /Font << /F1 5 0 R >> >> ")
    return _pdf([*objects, b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"])


def pdf_without_text() -> bytes:
    """A one-page PDF holding only a drawn rectangle, as a scan holds only an image."""
    return _pdf(_page(b"0.5 g 72 72 451 698 re f"))
