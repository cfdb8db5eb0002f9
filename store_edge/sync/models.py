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
    failures = models.PositiveIntegerField(
        default=0, help_text="sync runs failed in a row (network errors, HQ's 5xx)"
    )
    next_attempt_at = models.DateTimeField(
        null=True, blank=True, help_text="the beat's next try after failures (sync now ignores it)"
    )
    push_rate = models.FloatField(default=0.0, help_text="entries/s of the last push that sent")
    clock_offset_seconds = models.IntegerField(
        default=0, help_text="HQ's clock minus this box's, as HQ's answers tell it"
    )

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(id=1), name="syncstate_single_row")
        ]

    def __str__(self) -> str:
        return f"acknowledged up to #{self.acked_seq}"

    @property
    def hq_reachable(self) -> bool:
        return self.last_contact_at is not None and self.offline_since is None


class SyncIssueKind(models.TextChoices):
    QUARANTINED = "quarantined", "held by HQ but not applied"
    CONFLICT = "conflict", "HQ holds other content under this seq"


class SyncIssue(models.Model):
    """What HQ said it could not take: an entry it quarantined (with the reason; the entries
    behind it went on), or a seq it holds with other content (pushing stops until resolved)."""

    kind = models.CharField(max_length=16, choices=SyncIssueKind.choices)
    seq = models.PositiveBigIntegerField()
    reason = models.TextField()
    detected_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "seq"], name="sync_issue_once"),
        ]
        ordering = ["-detected_at", "seq"]

    def __str__(self) -> str:
        return f"#{self.seq} {self.kind}"
