"""What managers did in the store's admin: who, what, when, and the record before and after."""

from __future__ import annotations

from django.db import models


class AuditEntry(models.Model):
    at = models.DateTimeField(db_index=True)
    user = models.CharField(max_length=150)
    action = models.CharField(max_length=64, help_text="add, change, delete, or an action's name")
    model = models.CharField(max_length=100)
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField(max_length=200, blank=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name_plural = "audit entries"

    def __str__(self) -> str:
        return (
            f"{self.at:%Y-%m-%d %H:%M:%S} {self.user} {self.action} {self.model} {self.object_id}"
        )
