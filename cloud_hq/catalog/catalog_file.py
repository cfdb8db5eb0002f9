"""The catalogue file (DESIGN.md): its schema, and its errors named by their path."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
)

from devices.barcodes import BarcodeError, normalize_gtin, parse_code


class CatalogFileError(ValueError):
    """The file cannot be imported; `problems` lists each one as `path: message`."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems[:20]))
        self.problems = problems


CONTROL_CHARACTERS = frozenset(chr(c) for c in range(32)) - {"\t", "\n", "\r"}


def refuse_control_characters(value: Any) -> Any:
    """Refuse NUL and other control characters anywhere in a value (PostgreSQL stores no NUL)."""
    if isinstance(value, str):
        if not CONTROL_CHARACTERS.isdisjoint(value):
            raise ValueError("control characters (such as NUL) are not allowed")
    elif isinstance(value, dict):
        for key, item in value.items():
            refuse_control_characters(key)
            refuse_control_characters(item)
    elif isinstance(value, list | tuple):
        for item in value:
            refuse_control_characters(item)
    return value


def _amount_string(value: Any) -> Any:
    if not isinstance(value, str):
        raise ValueError('amounts are strings, like "0.79"')
    return value


AmountString = Annotated[Decimal, BeforeValidator(_amount_string)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    @field_validator("*", mode="after")
    @classmethod
    def _no_control_characters(cls, value: Any) -> Any:
        return refuse_control_characters(value)


class TaxClassIn(_Strict):
    code: str = Field(pattern=r"^[A-Za-z0-9_-]{1,16}$")
    rate: AmountString = Field(ge=0, lt=1, max_digits=6, decimal_places=4)
    inclusive: bool


class ProductIn(_Strict):
    sku: str = Field(pattern=r"^[A-Za-z0-9._-]{1,32}$")
    name: str = Field(min_length=1, max_length=200)
    barcodes: list[str] = Field(default_factory=list, max_length=50)
    plu: str = ""
    price: AmountString = Field(ge=0, max_digits=12, decimal_places=2)
    tax_class: str = Field(min_length=1, max_length=16)
    unit: Literal["each", "kg"]
    category: str = Field(default="", max_length=64)

    @field_validator("barcodes")
    @classmethod
    def _barcodes_are_gtins(cls, codes: list[str]) -> list[str]:
        for index, code in enumerate(codes):
            try:
                normalize_gtin(code)
            except BarcodeError as exc:
                raise ValueError(f"barcodes[{index}]: {exc}") from exc
        return codes

    @field_validator("plu")
    @classmethod
    def _plu_is_plu(cls, plu: str) -> str:
        if plu:
            scanned = parse_code(plu) if plu.isdigit() and len(plu) in (4, 5) else None
            if scanned is None or scanned.plu is None:
                raise ValueError(f"{plu!r} is not a PLU (4 or 5 digits)")
        return plu


class CatalogFile(_Strict):
    tax_classes: list[TaxClassIn] = Field(default_factory=list)
    products: list[ProductIn] = Field(default_factory=list)
    promotions: list[dict[str, Any]] = Field(default_factory=list, max_length=0)


def error_path(location: tuple[int | str, ...]) -> str:
    """Render a pydantic error location as `products[3].price`."""
    path = ""
    for part in location:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path or "(file)"


def catalog_file_parse(document: Any) -> CatalogFile:
    """Validate a decoded catalogue file, or raise CatalogFileError naming every problem."""
    if not isinstance(document, dict):
        raise CatalogFileError(["(file): the catalogue must be a JSON object"])
    try:
        parsed = CatalogFile.model_validate(document)
    except ValidationError as exc:
        problems = []
        for error in exc.errors(include_url=False):
            message = error["msg"].removeprefix("Value error, ")
            if error["type"] == "extra_forbidden":
                message = "unknown key"
            elif error["loc"][:1] == ("promotions",) and error["type"] == "too_long":
                message = "promotions are not accepted by this HQ version"
            problems.append(f"{error_path(error['loc'])}: {message}")
        raise CatalogFileError(problems) from exc
    _check_references(parsed)
    return parsed


def _check_references(catalog: CatalogFile) -> None:
    problems: list[str] = []
    seen_tax: set[str] = set()
    for index, tax in enumerate(catalog.tax_classes):
        if tax.code in seen_tax:
            problems.append(f"tax_classes[{index}].code: {tax.code} is listed twice")
        seen_tax.add(tax.code)
    skus: set[str] = set()
    gtins: dict[str, str] = {}
    plus: dict[str, str] = {}
    for index, product in enumerate(catalog.products):
        where = f"products[{index}]"
        if product.sku in skus:
            problems.append(f"{where}.sku: {product.sku} is listed twice")
        skus.add(product.sku)
        for b_index, code in enumerate(product.barcodes):
            gtin = normalize_gtin(code)
            if gtin in gtins:
                problems.append(f"{where}.barcodes[{b_index}]: {code} is also on {gtins[gtin]}")
            gtins[gtin] = product.sku
        if product.plu:
            if product.plu in plus:
                problems.append(f"{where}.plu: {product.plu} is also on {plus[product.plu]}")
            plus[product.plu] = product.sku
    if problems:
        raise CatalogFileError(problems)
