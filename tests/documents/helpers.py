"""Reading the PDFs the service makes: their text, structure and type sizes (pypdf)."""

import io
import math

from pypdf import PdfReader


def reader(content: bytes) -> PdfReader:
    return PdfReader(io.BytesIO(content))


def text_of(content: bytes) -> str:
    """The PDF's text with runs of white space made single spaces."""
    pdf = reader(content)
    return " ".join(" ".join(page.extract_text().split()) for page in pdf.pages)


def type_sizes(content: bytes) -> set[float]:
    """The size, in points, of every run of text on every page."""
    sizes = set()

    def visit(text, cm, tm, font_dict, font_size):
        if text.strip():
            scale = math.hypot(tm[2], tm[3]) * math.hypot(cm[2], cm[3])
            sizes.add(round(font_size * scale, 1))

    for page in reader(content).pages:
        page.extract_text(visitor_text=visit)
    return sizes


def accessibility_of(content: bytes) -> dict:
    """What PDF/UA-1 needs of the document as a whole."""
    pdf = reader(content)
    root = pdf.trailer["/Root"]
    xmp = pdf.xmp_metadata
    return {
        "tagged": "/StructTreeRoot" in root and bool(root["/MarkInfo"]["/Marked"]),
        "language": root.get("/Lang"),
        "title": (xmp.dc_title or {}).get("x-default") if xmp else None,
        "shows_title": bool(root["/ViewerPreferences"]["/DisplayDocTitle"]),
        "pdfua": xmp is not None and b"pdfuaid" in pdf.trailer["/Root"]["/Metadata"].get_data(),
        "fonts": sorted(
            {
                str(font.get_object()["/BaseFont"]).split("+")[-1]
                for page in pdf.pages
                for font in page["/Resources"]["/Font"].values()
            }
        ),
    }
