"""The store's own alert rules and the alerts they raised (the store watches itself: HQ's
monitoring may be out of reach)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models

from store_edge.monitoring.rules import METRICS, OPERATORS


class Severity(models.TextChoices):
    INFO = "info", "info"
    WARNING = "warning", "warning"
    CRITICAL = "critical", "critical"


class AlertRule(models.Model):
    """Fire when `metric operator threshold` held for `duration_seconds` without a break."""

    name = models.SlugField(max_length=64, unique=True)
    metric = models.CharField(max_length=32, choices=[(m, m) for m in METRICS])
    operator = models.CharField(max_length=3, choices=[(o, o) for o in OPERATORS])
    threshold = models.FloatField()
    duration_seconds = models.PositiveIntegerField(default=0)
    severity = models.CharField(max_length=8, choices=Severity.choices, default=Severity.WARNING)
    enabled = models.BooleanField(default=True)
    # Evaluation state: since when the condition has held (None: it does not now).
    holding_since = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        condition = f"{self.metric} {self.operator} {self.threshold:g}"
        return f"{self.name}: {condition} for {self.duration_seconds} s"

    def clean(self) -> None:
        from store_edge.monitoring.rules import rule_problems

        problems = rule_problems(self.metric, self.operator, self.threshold, self.duration_seconds)
        if problems:
            raise ValidationError(problems)


class Alert(models.Model):
    """One firing of a rule: from when it fired until the condition stopped holding."""

    rule = models.ForeignKey(AlertRule, on_delete=models.CASCADE, related_name="alerts")
    metric = models.CharField(max_length=32)
    severity = models.CharField(max_length=8)
    threshold = models.FloatField()
    value = models.FloatField(help_text="the metric when it fired")
    fired_at = models.DateTimeField(db_index=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-fired_at"]
        constraints = [
            models.UniqueConstraint(fields=["rule"], condition=models.Q(resolved_at=None),
                                    name="monitoring_one_active_alert_per_rule")
        ]  # fmt: skip

    def __str__(self) -> str:
        state = "active" if self.resolved_at is None else "resolved"
        return f"{self.rule.name} ({state}) {self.value:g}"


class MetricSample(models.Model):
    """A metric as read at one evaluation; kept for METRIC_HISTORY_SECONDS only (rates are
    computed from it), and not written at all when the disk is nearly full."""

    name = models.CharField(max_length=32)
    value = models.FloatField()
    at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["name", "at"])]

    def __str__(self) -> str:
        return f"{self.name}={self.value:g} at {self.at:%H:%M:%S}"
