"""The chain's master data: HQ is authoritative for all of it."""

from datetime import timedelta
from decimal import Decimal

from django.db import models
from django.utils import timezone

FOUR_PLACES = Decimal("0.0001")


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
        return f"{self.code} ({self.rate_text})"

    @property
    def rate_text(self) -> str:
        """The rate as HQ publishes it: four decimal places where they hold it (as every
        earlier version did, so a store that reads no more still takes it), else as many as
        it has (0.08875)."""
        short = self.rate.quantize(FOUR_PLACES)
        return str(short) if short == self.rate else f"{self.rate.normalize():f}"


class Category(models.Model):
    code = models.CharField(max_length=64, unique=True)

    class Meta:
        verbose_name_plural = "categories"

    def __str__(self) -> str:
        return self.code


class Product(models.Model):
    sku = models.CharField(max_length=32, unique=True)
    name = models.CharField(max_length=200)
    price = models.DecimalField(max_digits=12, decimal_places=2)
    unit = models.CharField(max_length=8, choices=Unit.choices)
    tax_class = models.ForeignKey(TaxClass, on_delete=models.PROTECT, related_name="products")
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, null=True, blank=True, related_name="products"
    )
    plu = models.CharField(max_length=5, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["plu"], condition=~models.Q(plu=""), name="hq_product_unique_plu"
            ),
            models.CheckConstraint(condition=models.Q(price__gte=0), name="hq_price_gte_0"),
        ]

    def __str__(self) -> str:
        return f"{self.sku} {self.name}"


class Barcode(models.Model):
    code = models.CharField(max_length=14)
    gtin = models.CharField(max_length=14, unique=True, help_text="GTIN-14 form")
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="barcodes")

    def __str__(self) -> str:
        return self.code


class ProductGroup(models.Model):
    """A named set of products that promotions target: SKUs, categories, other groups."""

    code = models.CharField(max_length=32, unique=True)
    skus = models.JSONField(default=list)
    categories = models.JSONField(default=list)
    groups = models.JSONField(default=list)

    def __str__(self) -> str:
        return self.code


class PromotionKind(models.TextChoices):
    PERCENT_OFF = "percent_off", "percent off"
    AMOUNT_OFF = "amount_off", "amount off"
    MEMBER_PRICE = "member_price", "member price"
    MULTI_BUY = "multi_buy", "multi-buy (n for a price)"
    BUY_X_GET_Y = "buy_x_get_y", "buy X get Y"
    MIX_AND_MATCH = "mix_and_match", "mix and match"
    BASKET_THRESHOLD = "basket_threshold", "basket threshold"


# The widest a local time lies from the same time in HQ's zone (UTC-12 to UTC+14): a local
# window is over for every store that long after its end as read in HQ's zone.
LOCAL_WINDOW_SLACK = timedelta(hours=26)


class Promotion(models.Model):
    """A promotion as the catalogue file describes it (`definition`), validated on import.

    `starts` and `ends` are the window's instants; for a local window (each store's clock)
    they are its bounds read in HQ's time zone, and the definition keeps them without offset.
    """

    code = models.CharField(max_length=32, unique=True)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=24, choices=PromotionKind.choices)
    starts = models.DateTimeField()
    ends = models.DateTimeField(db_index=True)
    local_window = models.BooleanField(
        default=False,
        help_text="starts and ends are each store's own clock, else one instant for all",
    )
    definition = models.JSONField()
    updated_at = models.DateTimeField(auto_now=True)
    added_at = models.DateTimeField(
        default=timezone.now,
        help_text="when it was created or last withdrawn and brought back: stores add "
        "competing promotions in the order they went live",
    )

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class PriceScope(models.TextChoices):
    CHAIN = "chain", "chain"
    REGION = "region", "region"
    STORE = "store", "store"


class PriceBook(models.Model):
    code = models.CharField(max_length=32, unique=True)
    scope = models.CharField(max_length=8, choices=PriceScope.choices)
    region = models.CharField(max_length=32, blank=True)
    store = models.CharField(max_length=16, blank=True)

    def __str__(self) -> str:
        return f"{self.code} ({self.scope})"


class PriceEntry(models.Model):
    book = models.ForeignKey(PriceBook, on_delete=models.CASCADE, related_name="entries")
    sku = models.CharField(max_length=32, db_index=True)
    price = models.DecimalField(max_digits=12, decimal_places=2)
    starts = models.DateTimeField(null=True, blank=True)
    ends = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "price entries"
        constraints = [
            models.CheckConstraint(condition=models.Q(price__gte=0), name="hq_entry_price_gte_0")
        ]

    def __str__(self) -> str:
        return f"{self.book.code} {self.sku} {self.price}"
