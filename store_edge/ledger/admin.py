"""The ledger in the store's admin: read only (the database refuses changes anyway)."""

from __future__ import annotations

from django.contrib import admin

from store_edge.audit.admin import ReadOnlyAdmin
from store_edge.ledger.models import LedgerCheckpoint, LedgerEntry


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnlyAdmin):
    list_display = ("seq", "kind", "sku", "quantity", "document_type", "user", "created_at")
    list_filter = ("kind",)
    search_fields = ("sku", "document_id", "user")
    ordering = ("-seq",)


@admin.register(LedgerCheckpoint)
class LedgerCheckpointAdmin(ReadOnlyAdmin):
    list_display = ("first_seq", "last_seq", "entries", "archive", "created_at")
