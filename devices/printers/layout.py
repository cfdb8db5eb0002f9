"""A receipt laid out once: the printable HTML page and the ESC/POS text are both rendered
from it, so that what the printer prints and what the page shows say the same.

A `Receipt` is plain data (and JSON, the way a print job keeps it until the printer has
printed it): a title, header lines, markers (reprint, return), item rows with their
adjustments, sums, tenders, a tax summary, the sale number as a barcode, footer lines and
the payment terminal's own slips.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

ROW_STYLES = ("item", "detail", "adjustment", "note", "sum", "grand", "tender")
MAX_TEXT = 200  # characters of one field: a receipt line, never a document
MAX_ROWS = 2000
MAX_SLIPS = 4
WIDTHS = (32, 42, 48)  # characters per line: 58 mm paper, 80 mm paper in font A at 42 or 48


class LayoutError(ValueError):
    """A receipt document that cannot be printed as it is."""


@dataclass(frozen=True, slots=True)
class Row:
    """One line: text on the left, an amount on the right."""

    left: str
    right: str = ""
    style: str = "item"


@dataclass(frozen=True, slots=True)
class TaxRow:
    label: str
    rate: str  # "8.875 %"
    net: str
    tax: str
    gross: str


@dataclass(frozen=True)
class Receipt:
    title: str
    header: tuple[str, ...] = ()
    markers: tuple[str, ...] = ()
    items: tuple[Row, ...] = ()
    sums: tuple[Row, ...] = ()
    taxes: tuple[TaxRow, ...] = ()
    barcode: str = ""
    footer: tuple[str, ...] = ()
    slips: tuple[tuple[str, ...], ...] = field(default=())

    def as_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, document: Any) -> Receipt:
        """The receipt a document describes; LayoutError if it is not one."""
        if not isinstance(document, dict):
            raise LayoutError("a receipt is a JSON object")
        barcode = document.get("barcode", "")
        if not isinstance(barcode, str) or not barcode.isascii() or not barcode.isprintable():
            raise LayoutError("a receipt's barcode is printable ASCII")
        try:
            receipt = cls(
                title=_text(document["title"]),
                header=tuple(_text(t) for t in _list(document.get("header", []))),
                markers=tuple(_text(t) for t in _list(document.get("markers", []))),
                items=tuple(_row(r) for r in _list(document.get("items", []))),
                sums=tuple(_row(r) for r in _list(document.get("sums", []))),
                taxes=tuple(_tax(r) for r in _list(document.get("taxes", []))),
                barcode=_text(barcode),
                footer=tuple(_text(t) for t in _list(document.get("footer", []))),
                slips=tuple(
                    tuple(_text(t) for t in _list(s))
                    for s in _list(document.get("slips", []))[:MAX_SLIPS]
                ),  # fmt: skip
            )
        except KeyError as exc:
            raise LayoutError(f"a receipt needs {exc.args[0]}") from exc
        return receipt


def _list(value: Any) -> list[Any]:
    if not isinstance(value, list) or len(value) > MAX_ROWS:
        raise LayoutError(f"expected a list of at most {MAX_ROWS} entries")
    return value


def _text(value: Any) -> str:
    if not isinstance(value, str) or len(value) > MAX_TEXT:
        raise LayoutError(f"expected text of at most {MAX_TEXT} characters")
    # A control character in a product's name would be a printer command.
    return "".join(c if c.isprintable() else " " for c in value)


def _row(value: Any) -> Row:
    if not isinstance(value, dict):
        raise LayoutError("a row is a JSON object")
    style = value.get("style", "item")
    if style not in ROW_STYLES:
        raise LayoutError(f"a row's style is one of {', '.join(ROW_STYLES)}")
    return Row(_text(value.get("left", "")), _text(value.get("right", "")), style)


def _tax(value: Any) -> TaxRow:
    if not isinstance(value, dict):
        raise LayoutError("a tax row is a JSON object")
    try:
        return TaxRow(*(_text(value[k]) for k in ("label", "rate", "net", "tax", "gross")))
    except KeyError as exc:
        raise LayoutError(f"a tax row needs {exc.args[0]}") from exc


def columns(left: str, right: str, width: int) -> list[str]:
    """`left` and `right` on lines of `width`: the amount flush right on the last line, the
    text wrapped above it when both do not fit on one."""
    if not right:
        return wrap(left, width)
    room = width - len(right) - 1
    if len(left) <= room:
        return [left + " " * (width - len(left) - len(right)) + right]
    lines = wrap(left, width)
    last = lines[-1]
    if len(last) <= room:
        lines[-1] = last + " " * (width - len(last) - len(right)) + right
    else:
        lines.append(right.rjust(width))
    return lines


def wrap(text: str, width: int) -> list[str]:
    """Text on lines of at most `width`, broken at spaces where it can be."""
    text = text.rstrip()
    lines: list[str] = []
    while len(text) > width:
        cut = text.rfind(" ", 0, width + 1)
        if cut <= 0:
            cut = width
        lines.append(text[:cut].rstrip())
        text = text[cut:].lstrip()
    lines.append(text)
    return lines


def tax_lines(taxes: tuple[TaxRow, ...], width: int) -> list[str]:
    """The tax summary as a table: one line per class where the paper is wide enough."""
    if not taxes:
        return []
    if width >= 40:
        label = width - 33
        head = f"{'Tax':<{label}}{'Rate':>7}{'Net':>9}{'Tax':>8}{'Gross':>9}"
        return [head] + [f"{t.label[:label]:<{label}}{t.rate:>7}{t.net:>9}{t.tax:>8}{t.gross:>9}"
                         for t in taxes]  # fmt: skip
    lines = []
    for t in taxes:
        lines += columns(t.label, t.rate, width)
        lines += columns(f"  net {t.net} tax {t.tax}", t.gross, width)
    return lines


def text_lines(receipt: Receipt, width: int = 42) -> list[str]:
    """The whole receipt as plain lines of `width` characters (the barcode as its number)."""
    if width not in WIDTHS:
        raise LayoutError(f"a receipt is {', '.join(map(str, WIDTHS))} characters wide")
    # The title is printed twice as wide: half as many characters on a line.
    lines = [line.center(width).rstrip() for line in wrap(receipt.title, width // 2)]
    lines += [line.center(width).rstrip() for text in receipt.header for line in wrap(text, width)]
    lines += [line.center(width).rstrip() for text in receipt.markers for line in wrap(text, width)]
    lines.append("-" * width)
    for row in receipt.items:
        indent = "  " if row.style in ("adjustment", "note") else ""
        lines += columns(indent + row.left, row.right, width)
    lines.append("-" * width)
    for row in receipt.sums:
        lines += columns(row.left, row.right, width)
    if receipt.taxes:
        lines.append("")
        lines += tax_lines(receipt.taxes, width)
    for text in receipt.footer:
        lines += [line.center(width).rstrip() for line in wrap(text, width)]
    for slip in receipt.slips:
        lines.append("-" * width)
        lines += [line for text in slip for line in wrap(text, width)]
    return lines
