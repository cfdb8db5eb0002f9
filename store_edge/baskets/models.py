"""Baskets being rung up at the lanes, with their lines and the payments taken.

The tables keep the names they had when these models were part of the sales app (`sales_*`):
no row moved when the app was split.
"""

import uuid

from django.db import models


class TenderMethod(models.TextChoices):
    CASH = "cash", "cash"
    CARD = "card", "card (external terminal)"


class BasketStatus(models.TextChoices):
    OPEN = "open", "open"
    SUSPENDED = "suspended", "suspended"
    COMPLETED = "completed", "completed"


class Basket(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    lane = models.ForeignKey("lanes.Lane", on_delete=models.PROTECT, related_name="baskets")
    status = models.CharField(max_length=16, choices=BasketStatus.choices, default="open")
    created_at = models.DateTimeField(auto_now_add=True)
    sale = models.OneToOneField(
        "sales.Sale", on_delete=models.PROTECT, null=True, blank=True, related_name="basket"
    )
    member_card = models.CharField(max_length=32, blank=True)
    coupons = models.JSONField(default=list, blank=True)

    class Meta:
        db_table = "sales_basket"

    def __str__(self) -> str:
        return f"basket {self.id} ({self.status})"


class BasketLine(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    basket = models.ForeignKey(Basket, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveIntegerField()
    sku = models.CharField(max_length=32)
    name = models.CharField(max_length=200)
    code = models.CharField(max_length=32, help_text="the code scanned or typed")
    quantity = models.DecimalField(max_digits=12, decimal_places=3)
    weight_kg = models.DecimalField(max_digits=9, decimal_places=3, null=True, blank=True)
    unit_price = models.DecimalField(max_digits=12, decimal_places=2)
    tax_class = models.CharField(max_length=16)
    tax_rate = models.DecimalField(max_digits=8, decimal_places=6)
    tax_inclusive = models.BooleanField()
    category = models.CharField(max_length=64, blank=True)
    embedded_price = models.DecimalField(
        max_digits=12, decimal_places=2, null=True, blank=True, help_text="printed in the barcode"
    )
    override_price = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    discount_percent = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    discount_amount = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    change_reason = models.CharField(max_length=200, blank=True)
    approved_by = models.CharField(max_length=16, blank=True)

    class Meta:
        db_table = "sales_basketline"
        ordering = ["position"]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.name}"


class BasketPayment(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    basket = models.ForeignKey(Basket, on_delete=models.CASCADE, related_name="payments")
    method = models.CharField(max_length=16, choices=TenderMethod.choices)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    terminal_reference = models.CharField(max_length=32, blank=True)
    card_last4 = models.CharField(max_length=4, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "sales_basketpayment"
        ordering = ["created_at"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="payment_amount_gt_0")
        ]

    def __str__(self) -> str:
        return f"{self.method} {self.amount}"
