"""Push the ledger to HQ and pull config from HQ. The truth is always re-read from SQLite."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from pydantic import ValidationError

from devices.barcodes import BarcodeError, normalize_gtin
from store_edge.catalog.models import ConfigState
from store_edge.catalog.selectors import config_state
from store_edge.catalog.services import (
    ConfigSnapshot,
    PriceData,
    PriorPriceData,
    ProductData,
    StaleConfig,
    TaxClassData,
    catalog_apply,
    directory_apply,
    store_profile_apply,
)
from store_edge.inventory.stock_operations import ExpectedDelivery, deliveries_expect
from store_edge.ledger.models import LedgerEntry
from store_edge.sync.client import HQClient, HQRefused, HQUnreachable, backoff_seconds
from store_edge.sync.contract import (
    ConfigManifestWire,
    ConflictAnswerWire,
    ProductsPageWire,
    ProductWire,
    PushAnswerWire,
)
from store_edge.sync.models import SyncIssue, SyncIssueKind, SyncState
from store_edge.sync.selectors import pending_entries, sync_state

logger = logging.getLogger(__name__)

MAX_STALLS = 2


class ConfigRejected(Exception):
    """HQ's config failed validation at the store; the version in force stays."""


@dataclass(frozen=True)
class PushResult:
    sent: int
    acked_seq: int
    pending: int


def entry_wire(entry: LedgerEntry) -> dict[str, Any]:
    """Return a ledger entry as it travels to HQ."""
    return {
        "seq": entry.seq,
        "uuid": str(entry.uuid),
        "kind": entry.kind,
        "sku": entry.sku,
        "quantity": None if entry.quantity is None else str(entry.quantity),
        "document_type": entry.document_type,
        "document_id": str(entry.document_id),
        "payload": entry.payload,
        "user": entry.user,
        "created_at": entry.created_at.isoformat(),
        "config_version": entry.config_version,
    }


def _next_batch(*, after: int, max_rows: int, max_bytes: int) -> list[dict[str, Any]]:
    batch: list[dict[str, Any]] = []
    size = 0
    for entry in LedgerEntry.objects.filter(seq__gt=after).order_by("seq")[:max_rows]:
        wire = entry_wire(entry)
        size += len(json.dumps(wire, separators=(",", ":")))
        if batch and size > max_bytes:
            break
        batch.append(wire)
    return batch


def _last_seq() -> int:
    return LedgerEntry.objects.order_by("-seq").values_list("seq", flat=True).first() or 0


def sync_state_record(**fields: Any) -> None:
    """Record what a run with HQ found (times, errors, HQ's clock) on the sync state."""
    with transaction.atomic():
        SyncState.objects.get_or_create(id=1)
        SyncState.objects.filter(id=1).update(**fields)


def sync_failure_record(exc: Exception, client: HQClient | None = None) -> None:
    """Record a failed run: offline since when, and how long the beat waits before the next."""
    now = timezone.now()
    state = sync_state()
    fields: dict[str, Any] = {"last_error": str(exc)[:2000], "last_error_at": now}
    if isinstance(exc, HQUnreachable):
        if state.offline_since is None:
            fields["offline_since"] = now
        # Runs that keep failing wait longer before the beat tries again ("sync now" does not).
        fields["failures"] = state.failures + 1
        fields["next_attempt_at"] = now + timedelta(seconds=backoff_seconds(state.failures))
    else:
        fields.update(last_contact_at=now, offline_since=None)
    if client is not None:
        fields["clock_offset_seconds"] = client.clock_offset
    sync_state_record(**fields)


def sync_due(*, force: bool = False) -> bool:
    """Whether the beat should sync now: not while backing off after failures."""
    due = sync_state().next_attempt_at
    return force or due is None or due <= timezone.now()


def hq_client() -> HQClient:
    """A client for HQ that signs in HQ's time as last learnt."""
    return HQClient(clock_offset=sync_state().clock_offset_seconds)


def _issues(kind: str, found: list[tuple[int, str]]) -> None:
    if found:
        now = timezone.now()
        SyncIssue.objects.bulk_create(
            [SyncIssue(kind=kind, seq=seq, reason=reason[:4000], detected_at=now)
             for seq, reason in found],
            ignore_conflicts=True,
        )  # fmt: skip
        for seq, reason in found:
            logger.error("HQ: #%s %s: %s", seq, kind, reason)


def _push_refused(exc: HQRefused) -> None:
    """Keep what a 409 says: HQ holds other content under these seqs (reported both sides)."""
    if exc.status != 409:
        return
    try:
        conflict = ConflictAnswerWire.model_validate(exc.data)
    except ValidationError:
        return
    _issues(SyncIssueKind.CONFLICT, [(seq, conflict.detail) for seq in conflict.conflicts])


def ledger_push(*, client: HQClient, after_batch: Callable[[], None] | None = None) -> PushResult:
    """Send every entry HQ does not hold, in bounded batches, and record HQ's high-water mark."""
    cursor = sync_state().acked_seq
    sent = stalls = 0
    started = time.monotonic()
    while batch := _next_batch(
        after=cursor, max_rows=settings.SYNC_BATCH_ROWS, max_bytes=settings.SYNC_BATCH_BYTES
    ):
        try:
            answer = client.request("POST", client.store_path("events"), payload={"entries": batch})
            pushed = PushAnswerWire.model_validate(answer.data)
        except HQRefused as exc:
            _push_refused(exc)
            sync_failure_record(exc, client)
            raise
        except HQUnreachable as exc:
            sync_failure_record(exc, client)
            raise
        except ValidationError as exc:
            sync_failure_record(exc, client)
            raise HQRefused(0, f"HQ's answer is not a push answer: {exc}") from exc
        _issues(SyncIssueKind.QUARANTINED, [(q.seq, q.reason) for q in pushed.quarantined])
        mark = pushed.high_water_mark
        sent += len(batch)
        # HQ may hold more than this batch (another worker pushed), never more than we wrote.
        new_cursor = min(mark, _last_seq())
        now = timezone.now()
        elapsed = time.monotonic() - started
        sync_state_record(
            acked_seq=new_cursor,
            last_push_at=now,
            last_contact_at=now,
            offline_since=None,
            last_error="",
            failures=0,
            next_attempt_at=None,
            clock_offset_seconds=client.clock_offset,
            push_rate=sent / elapsed if elapsed > 0 else 0.0,
        )
        if new_cursor <= cursor:
            stalls += 1
            logger.warning("HQ holds up to #%s; resending from there", new_cursor)
            if stalls >= MAX_STALLS:
                logger.error("HQ keeps answering #%s; stopping this push", new_cursor)
                break
        cursor = new_cursor
        if after_batch is not None:
            after_batch()
    if sent == 0:
        now = timezone.now()
        sync_state_record(last_push_at=now, failures=0, next_attempt_at=None)
    return PushResult(sent=sent, acked_seq=cursor, pending=pending_entries(acked_seq=cursor))


def config_pull(*, client: HQClient) -> int | None:
    """Apply HQ's newest config if it is newer, and the deliveries and stores HQ announces;
    return the version applied, or None when the version in force stays.

    The products are downloaded and checked page by page into a spool file first (memory
    stays bounded whatever the catalogue's size), then applied in one transaction; a pull
    that fails anywhere leaves the version in force as it was.
    """
    state = config_state()
    headers = {"If-None-Match": state.etag} if state.etag and state.version else {}
    since = f"?since={state.version}" if state.version else ""
    spool: Path | None = None
    try:
        try:
            answer = client.request("GET", client.store_path("config") + since, headers=headers)
            if answer.status == 304:
                _pulled()
                return None
            manifest = ConfigManifestWire.model_validate(answer.data)
            if manifest.version > state.version:
                if manifest.delta_from is not None and manifest.delta_from != state.version:
                    raise ConfigRejected(
                        f"HQ sent a delta from v{manifest.delta_from}; v{state.version} is in force"
                    )
                spool = _spool(client=client, manifest=manifest)
        except ValidationError as exc:
            sync_failure_record(exc, client)
            raise ConfigRejected(f"config from HQ is invalid: {exc}") from exc
        except (HQUnreachable, HQRefused, ConfigRejected) as exc:
            sync_failure_record(exc, client)
            raise
        applied = None
        try:
            with transaction.atomic():
                if spool is not None:
                    _catalog_apply(manifest=manifest, products=_spooled(spool))
                    applied = manifest.version
                elif manifest.version == state.version:
                    store_profile_apply(snapshot=_snapshot(manifest))
                directory_apply(stores=[(s.code, s.name) for s in manifest.stores])
                deliveries_expect(
                    deliveries=[
                        ExpectedDelivery(
                            reference=d.reference,
                            note=d.supplier,
                            lines=[(line.sku, line.quantity) for line in d.lines],
                        )
                        for d in manifest.deliveries
                    ]
                )
                ConfigState.objects.filter(id=1).update(etag=answer.etag or "")
        except (StaleConfig, IntegrityError) as exc:
            rejected = ConfigRejected(f"config v{manifest.version} does not apply: {exc}")
            sync_failure_record(rejected, client)
            raise rejected from exc
    finally:
        if spool is not None:
            spool.unlink(missing_ok=True)
    _pulled()
    return applied


def _spool(*, client: HQClient, manifest: ConfigManifestWire) -> Path:
    """Download and check the manifest's product pages into a spool file (JSON lines)."""
    directory = Path(settings.VAR_DIR) / "store" / "spool"
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"config-v{manifest.version}.jsonl"
    check = ProductsCheck(manifest)
    delta = f"&since={manifest.delta_from}" if manifest.delta_from is not None else ""
    try:
        with path.open("w", encoding="utf-8") as out:
            for number in range(1, manifest.product_pages + 1):
                suffix = f"config/{manifest.version}/products?page={number}{delta}"
                data = client.request("GET", client.store_path(suffix)).data
                page = ProductsPageWire.model_validate(data)
                if page.version != manifest.version or page.page != number:
                    raise ConfigRejected(
                        f"HQ sent page {page.page} of v{page.version} for {number}"
                    )
                for product in page.products:
                    check.add(product)
                    out.write(product.model_dump_json() + "\n")
        check.finish()
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return path


def _spooled(path: Path) -> Iterator[ProductWire]:
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            yield ProductWire.model_validate_json(line)


def _snapshot(manifest: ConfigManifestWire) -> ConfigSnapshot:
    return ConfigSnapshot(
        version=manifest.version,
        published_at=manifest.published_at,
        store_name=manifest.store.name,
        currency=manifest.store.currency,
        region=manifest.store.region,
        cash_rounding=manifest.store.cash_rounding,
        country=manifest.store.country,
        time_zone=manifest.store.time_zone,
        tax_classes=tuple(
            TaxClassData(code=t.code, rate=t.rate, inclusive=t.inclusive)
            for t in manifest.tax_classes
        ),
        promotions=tuple(p.model_dump(mode="json") for p in manifest.promotions),
        prior_prices=tuple(
            PriorPriceData(
                sku=p.sku, reference=p.reference, starts=p.starts, ends=p.ends, price=p.price
            )
            for p in manifest.prior_prices
        ),  # fmt: skip
    )


def _catalog_apply(*, manifest: ConfigManifestWire, products: Iterator[ProductWire]) -> None:
    catalog_apply(
        delta_from=manifest.delta_from,
        removed=manifest.removed,
        catalogue_total=manifest.catalogue_total,
        snapshot=_snapshot(manifest),
        products=(
            ProductData(
                sku=p.sku,
                name=p.name,
                price=p.price,
                unit=p.unit,
                tax_class=p.tax_class,
                category=p.category,
                plu=p.plu,
                barcodes=tuple(p.barcodes),
                prices=tuple(
                    PriceData(price=e.price, scope=e.scope, starts=e.starts, ends=e.ends)
                    for e in p.prices
                ),
            )
            for p in products
        ),
    )


def _pulled() -> None:
    now = timezone.now()
    sync_state_record(last_pull_at=now, last_contact_at=now, offline_since=None, failures=0,
            next_attempt_at=None)  # fmt: skip


class ProductsCheck:
    """What a config's products must be before anything is applied, checked as they arrive:
    as many as announced, known tax classes, each SKU, PLU and barcode once."""

    def __init__(self, manifest: ConfigManifestWire) -> None:
        self.manifest = manifest
        self.tax_codes = {t.code for t in manifest.tax_classes}
        self.skus: set[str] = set()
        self.gtins: set[str] = set()
        self.plus: set[str] = set()
        self.removed = set(manifest.removed)

    def add(self, product: ProductWire) -> None:
        if product.tax_class not in self.tax_codes:
            raise ConfigRejected(f"{product.sku}: unknown tax class {product.tax_class}")
        if product.sku in self.skus:
            raise ConfigRejected(f"{product.sku}: SKU listed twice")
        if product.sku in self.removed:
            raise ConfigRejected(f"{product.sku}: both changed and removed")
        self.skus.add(product.sku)
        if product.plu:
            if product.plu in self.plus:
                raise ConfigRejected(f"{product.sku}: PLU {product.plu} used twice")
            self.plus.add(product.plu)
        for code in product.barcodes:
            try:
                gtin = normalize_gtin(code)
            except BarcodeError as exc:
                raise ConfigRejected(f"{product.sku}: {exc}") from exc
            if gtin in self.gtins:
                raise ConfigRejected(f"{product.sku}: barcode {code} used twice")
            self.gtins.add(gtin)

    def finish(self) -> None:
        if len(self.skus) != self.manifest.products_total:
            raise ConfigRejected(
                f"v{self.manifest.version} announces {self.manifest.products_total} products, "
                f"{len(self.skus)} arrived"
            )
