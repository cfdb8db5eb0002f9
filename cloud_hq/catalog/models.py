"""The chain's master data: HQ is authoritative for all of it."""

from django.db import models


class Unit(models.TextChoices):
    EACH = "each", "each"
    KG = "kg", "kg"


class TaxClass(models.Model):
    code = models.CharField(max_length=16, unique=True)
    rate = models.DecimalField(max_digits=6, decimal_places=4)
    inclusive = models.BooleanField()

    class Meta:
        verbose_name_plural = "tax classes"

    def __str__(self) -> str:
        return f"{self.code} ({self.rate})"


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
