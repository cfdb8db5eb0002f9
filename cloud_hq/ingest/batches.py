"""A push as HQ holds it while receiving it: each entry as received (read, or held raw with
the reason it could not be), and the documents of the entries that will be applied."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from cloud_hq.ingest.contract import EntryIn, SaleDoc, ShiftDoc


@dataclass
class Received:
    """An entry as pushed: read as an EntryIn, or held raw with the reason it could not be."""

    seq: int
    raw: dict[str, Any]
    entry: EntryIn | None
    digest: str
    reason: str = ""


@dataclass
class CheckedBatch:
    """The entries that extend a store's ledger, in seq order, each with its verdict (an
    empty `reason`: applied), and the documents the applied ones carry."""

    items: list[Received]
    sales: list[tuple[EntryIn, SaleDoc]] = field(default_factory=list)
    shifts: list[tuple[EntryIn, ShiftDoc]] = field(default_factory=list)

    @property
    def applied(self) -> list[EntryIn]:
        return [item.entry for item in self.items if item.entry is not None and not item.reason]
