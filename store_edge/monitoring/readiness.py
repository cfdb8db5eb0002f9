"""Whether this process can serve: database reachable and migrated."""

from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor

_migrated = False


def readiness_problems() -> list[str]:
    """Return what stops this process from serving (empty when ready)."""
    global _migrated
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        if not _migrated:
            executor = MigrationExecutor(connection)
            plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
            if plan:
                return [f"{len(plan)} migration(s) not applied"]
            _migrated = True  # migrations are not unapplied under a running process
    except DatabaseError as exc:
        return [f"database: {exc}"]
    return []
