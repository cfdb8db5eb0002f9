"""The `anyof` lookup ingest's queries use (registered when the app is ready)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import models
from django.db.models.lookups import In


@models.Field.register_lookup
class AnyOf(In):
    """`field__anyof=[...]`: `field = ANY(array)` on PostgreSQL — one parameter however long
    the list (a push asks about thousands of uuids) — and `IN (...)` elsewhere."""

    lookup_name = "anyof"

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, tuple[Any, ...]]:
        if connection.vendor != "postgresql" or self.rhs_is_direct_value() is False:
            return super().as_sql(compiler, connection)
        values = [v for v in self.rhs if v is not None]
        if not values:
            raise EmptyResultSet
        lhs, lhs_params = self.process_lhs(compiler, connection)
        field = self.lhs.output_field
        prepared = [field.get_db_prep_value(v, connection, prepared=True) for v in values]
        cast = field.cast_db_type(connection)
        return f"{lhs} = ANY(%s::{cast}[])", (*lhs_params, prepared)
