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


class PriceHistory(models.Model):
    """A product's prices as a published version gave them (its list price and every price
    book's entries), recorded when they changed: what each store had in force, and so the
    lowest price of the 30 days before a reduction (EU Omnibus directive, Art. 6a)."""

    sku = models.CharField(max_length=32)
    version = models.PositiveIntegerField()
    published_at = models.DateTimeField()
    price = models.DecimalField(max_digits=12, decimal_places=2)
    entries = models.JSONField(default=list, help_text="the price books' entries, as published")
    digest = models.CharField(max_length=24)
    latest = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["sku", "version"], name="publishing_price_once")
        ]
        indexes = [
            models.Index(fields=["sku", "published_at"]),
            models.Index(fields=["latest"], condition=models.Q(latest=True), name="price_latest"),
        ]

    def __str__(self) -> str:
        return f"{self.sku} v{self.version}: {self.price}"


class PriorPrice(models.Model):
    """A reduction a version announces to a store, with the lowest price the product had
    there in the 30 days before it starts. `flag` says why it needs a look before the
    reduction is shown to customers (empty: none)."""

    config = models.ForeignKey(ConfigVersion, on_delete=models.CASCADE, related_name="+")
    store = models.ForeignKey("hq_stores.Store", on_delete=models.CASCADE, related_name="+")
    sku = models.CharField(max_length=32)
    reference = models.CharField(
        max_length=40, help_text="the promotion's code, or 'price' for a price book entry"
    )
    starts = models.DateTimeField()
    ends = models.DateTimeField(null=True, blank=True)
    reduced_price = models.DecimalField(
        max_digits=12, decimal_places=2, null=True, blank=True,
        help_text="a price book's price, or the list price less the promotion's",
    )  # fmt: skip
    prior_price = models.DecimalField(
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="empty: no price of it is known before the reduction (flagged, not sent)",
    )
    flag = models.CharField(max_length=200, blank=True)

    class Meta:
        indexes = [models.Index(fields=["config", "store"])]

    def __str__(self) -> str:
        return f"{self.store_id} {self.sku} {self.reference}: {self.prior_price}"
