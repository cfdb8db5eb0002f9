"""Completed sales and returns, with their lines, tenders and taxes."""

import uuid

from django.db import models

from store_edge.baskets.models import TenderMethod


class Sale(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    number = models.CharField(max_length=32, unique=True)
    lane = models.ForeignKey("lanes.Lane", on_delete=models.PROTECT, related_name="sales")
    completed_at = models.DateTimeField(db_index=True)
    config_version = models.PositiveIntegerField()
    subtotal = models.DecimalField(max_digits=12, decimal_places=2)
    discount_total = models.DecimalField(max_digits=12, decimal_places=2)
    tax_total = models.DecimalField(max_digits=12, decimal_places=2)
    total = models.DecimalField(max_digits=12, decimal_places=2)
    amount_paid = models.DecimalField(max_digits=12, decimal_places=2)
    change = models.DecimalField(max_digits=12, decimal_places=2)
    cash_rounding = models.DecimalField(
        max_digits=6, decimal_places=2, default=0, help_text="cash due minus total"
    )
    member_card = models.CharField(max_length=32, blank=True)
    coupons = models.JSONField(default=list, blank=True)
    cashier = models.CharField(max_length=16, blank=True)
    shift = models.ForeignKey(
        "shifts.Shift", on_delete=models.PROTECT, null=True, blank=True, related_name="sales"
    )
    returns_sale = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="returns",
        help_text="for a return: the sale it returns (none: a return without receipt)",
    )

    class Meta:
        ordering = ["-completed_at"]

    def __str__(self) -> str:
        return f"sale {self.number}"


class SaleLine(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    sale = models.ForeignKey(Sale, on_delete=models.PROTECT, related_name="lines")
    position = models.PositiveIntegerField()
    sku = models.CharField(max_length=32)
    name = models.CharField(max_length=200)
    quantity = models.DecimalField(max_digits=12, decimal_places=3)
    weight_kg = models.DecimalField(max_digits=9, decimal_places=3, null=True, blank=True)
    unit_price = models.DecimalField(max_digits=12, decimal_places=2)
    base_amount = models.DecimalField(max_digits=12, decimal_places=2)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    tax_class = models.CharField(max_length=16)
    adjustments = models.JSONField(default=list, blank=True)
    prior_price = models.DecimalField(
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="the lowest 30-day price shown beside its reduction (EU Omnibus)",
    )
    returned_line = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="returned_by",
        help_text="on a return: the sold line it takes back",
    )

    class Meta:
        ordering = ["position"]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.name}"


class SaleTender(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    sale = models.ForeignKey(Sale, on_delete=models.PROTECT, related_name="tenders")
    method = models.CharField(max_length=16, choices=TenderMethod.choices)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    terminal_reference = models.CharField(max_length=32, blank=True)
    card_last4 = models.CharField(max_length=4, blank=True)

    def __str__(self) -> str:
        return f"{self.method} {self.amount}"


class SaleTax(models.Model):
    sale = models.ForeignKey(Sale, on_delete=models.PROTECT, related_name="taxes")
    tax_class = models.CharField(max_length=16)
    rate = models.DecimalField(max_digits=8, decimal_places=6)
    inclusive = models.BooleanField()
    net = models.DecimalField(max_digits=12, decimal_places=2)
    tax = models.DecimalField(max_digits=12, decimal_places=2)
    gross = models.DecimalField(max_digits=12, decimal_places=2)

    def __str__(self) -> str:
        return f"{self.tax_class} {self.tax}"
