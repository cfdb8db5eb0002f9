"""Published config versions: immutable snapshots the stores pull, products in pages."""

from django.db import models


class ConfigVersion(models.Model):
    version = models.PositiveIntegerField(unique=True)
    published_at = models.DateTimeField()
    tax_classes = models.JSONField()
    promotions = models.JSONField(default=list)
    products_total = models.PositiveIntegerField()
    product_pages = models.PositiveIntegerField()

    class Meta:
        ordering = ["-version"]

    def __str__(self) -> str:
        return f"config v{self.version}"


class ConfigPage(models.Model):
    config = models.ForeignKey(ConfigVersion, on_delete=models.CASCADE, related_name="pages")
    number = models.PositiveIntegerField()
    products = models.JSONField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["config", "number"], name="publishing_page_once")
        ]

    def __str__(self) -> str:
        return f"{self.config} page {self.number}"


class ConfigDelta(models.Model):
    """What a version changed from the one before: the products changed or added (as
    published in this version) and the SKUs removed. A store one or more versions behind
    pulls the deltas' union instead of the whole catalogue."""

    config = models.OneToOneField(ConfigVersion, on_delete=models.CASCADE, related_name="delta")
    from_version = models.PositiveIntegerField()
    changed = models.JSONField(default=list)
    removed = models.JSONField(default=list)

    def __str__(self) -> str:
        return f"v{self.from_version} → {self.config}"


class ScheduledPublication(models.Model):
    """A publication planned for a moment (say, the night before a price change): HQ's beat
    publishes it once it is due, exactly once."""

    publish_at = models.DateTimeField(db_index=True)
    note = models.CharField(max_length=200, blank=True)
    created_by = models.CharField(max_length=150, blank=True)
    published = models.ForeignKey(ConfigVersion, on_delete=models.PROTECT, null=True,
                                  blank=True, related_name="+")  # fmt: skip
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["publish_at"]

    def __str__(self) -> str:
        return f"publication at {self.publish_at:%Y-%m-%d %H:%M}"
