"""The store's read-only replica of HQ's master data, replaced as a whole per config version."""

from django.db import models


class Unit(models.TextChoices):
    EACH = "each", "each"
    KG = "kg", "kg"


class TaxClass(models.Model):
    code = models.CharField(max_length=16, unique=True)
    rate = models.DecimalField(max_digits=8, decimal_places=6)
    inclusive = models.BooleanField()

    class Meta:
        verbose_name_plural = "tax classes"

    def __str__(self) -> str:
        return f"{self.code} ({self.rate})"


class Product(models.Model):
    sku = models.CharField(max_length=32, unique=True)
    name = models.CharField(max_length=200)
    price = models.DecimalField(max_digits=12, decimal_places=2)
    unit = models.CharField(max_length=8, choices=Unit.choices)
    tax_class = models.ForeignKey(TaxClass, on_delete=models.PROTECT, related_name="products")
    category = models.CharField(max_length=64, blank=True)
    plu = models.CharField(max_length=5, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["plu"], condition=~models.Q(plu=""), name="catalog_product_unique_plu"
            ),
            models.CheckConstraint(condition=models.Q(price__gte=0), name="catalog_price_gte_0"),
        ]

    def __str__(self) -> str:
        return f"{self.sku} {self.name}"


class Barcode(models.Model):
    gtin = models.CharField(max_length=14, primary_key=True, help_text="GTIN-14 form")
    code = models.CharField(max_length=14, help_text="as published by HQ")
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="barcodes")

    def __str__(self) -> str:
        return self.code


class PriceEntry(models.Model):
    """A price from one of HQ's price books that applies to this store."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="prices")
    price = models.DecimalField(max_digits=12, decimal_places=2)
    scope = models.CharField(max_length=8)
    starts = models.DateTimeField(null=True, blank=True)
    ends = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "price entries"

    def __str__(self) -> str:
        return f"{self.product_id} {self.price} ({self.scope})"


class Promotion(models.Model):
    """A promotion of the config in force, as HQ published it."""

    code = models.CharField(max_length=32, unique=True)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=24)
    ends = models.DateTimeField()
    definition = models.JSONField()

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class KnownStore(models.Model):
    """The chain's other stores, as HQ published them (transfers go only to these)."""

    code = models.CharField(max_length=16, primary_key=True)
    name = models.CharField(max_length=200)

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class ConfigState(models.Model):
    """The config version in force at this store (a single row)."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    version = models.PositiveIntegerField(default=0)
    published_at = models.DateTimeField(null=True, blank=True)
    applied_at = models.DateTimeField(null=True, blank=True)
    store_name = models.CharField(max_length=200, blank=True)
    currency = models.CharField(max_length=3, default="EUR")
    region = models.CharField(max_length=32, blank=True)
    cash_rounding = models.DecimalField(max_digits=4, decimal_places=2, null=True, blank=True)
    country = models.CharField(
        max_length=2, blank=True, help_text="published by HQ; empty: STORE_COUNTRY holds"
    )
    time_zone = models.CharField(
        max_length=64, blank=True, help_text="published by HQ; empty: TIME_ZONE holds"
    )
    etag = models.CharField(max_length=64, blank=True, help_text="HQ's ETag of what was pulled")

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(id=1), name="configstate_single_row")
        ]

    def __str__(self) -> str:
        return f"config v{self.version}"


class PriorPrice(models.Model):
    """A price reduction at this store, as HQ published it with the config in force: the
    lowest price of the 30 days before it starts (EU Omnibus directive, Art. 6a), shown
    beside the reduced price on the lane and the receipt."""

    sku = models.CharField(max_length=32, db_index=True)
    reference = models.CharField(
        max_length=40, help_text="the promotion's code, or 'price' for a price book's"
    )
    starts = models.DateTimeField()
    ends = models.DateTimeField(null=True, blank=True)
    price = models.DecimalField(max_digits=12, decimal_places=2)

    def __str__(self) -> str:
        return f"{self.sku} {self.reference}: lowest 30-day price {self.price}"
