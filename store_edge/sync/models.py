"""Where the store stands with HQ (a single row). The ledger itself is never touched by sync."""

from django.db import models


class SyncState(models.Model):
    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    acked_seq = models.PositiveBigIntegerField(
        default=0, help_text="HQ's high-water mark: every entry up to it is held by HQ"
    )
    last_push_at = models.DateTimeField(null=True, blank=True)
    last_pull_at = models.DateTimeField(null=True, blank=True)
    last_contact_at = models.DateTimeField(null=True, blank=True)
    offline_since = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    last_error_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(id=1), name="syncstate_single_row")
        ]

    def __str__(self) -> str:
        return f"acknowledged up to #{self.acked_seq}"

    @property
    def hq_reachable(self) -> bool:
        return self.last_contact_at is not None and self.offline_since is None
