"""The chain's stores and the keys they sign their requests with."""

from django.db import models


class Store(models.Model):
    code = models.CharField(max_length=16, primary_key=True)
    name = models.CharField(max_length=200)
    currency = models.CharField(max_length=3)
    region = models.CharField(max_length=32, blank=True)
    cash_rounding = models.DecimalField(
        max_digits=4,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="cash totals are rounded to this (0.05 where coins below it are gone)",
    )
    country = models.CharField(
        max_length=2,
        blank=True,
        help_text="ISO 3166 code (de, us): the layouts of its price and weight labels",
    )
    time_zone = models.CharField(
        max_length=64,
        blank=True,
        help_text="IANA zone (Europe/Berlin) its happy hours and local windows are read in",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    config_checked_at = models.DateTimeField(
        null=True, blank=True, help_text="when the store last asked HQ for its config"
    )

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class StoreKey(models.Model):
    """A signing key. HMAC needs the secret on both sides, so HQ keeps it (admin-only)."""

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="keys")
    key_id = models.CharField(max_length=16, unique=True)
    secret = models.CharField(max_length=128)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.store_id} key {self.key_id}"


class UsedNonce(models.Model):
    """A nonce seen inside the signature window: the same nonce twice is a replay."""

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="+")
    nonce = models.CharField(max_length=64)
    seen_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["store", "nonce"], name="stores_nonce_once")]

    def __str__(self) -> str:
        return self.nonce


class AnnouncedDelivery(models.Model):
    """A delivery HQ tells a store to expect; the store receives it with what arrived."""

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="deliveries")
    reference = models.CharField(max_length=64)
    supplier = models.CharField(max_length=200, blank=True)
    expected_at = models.DateTimeField(null=True, blank=True)
    lines = models.JSONField(help_text='[{"sku": …, "quantity": "12"}]')
    announced_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["store", "reference"], name="stores_delivery_once")
        ]
        verbose_name_plural = "announced deliveries"

    def __str__(self) -> str:
        return f"{self.store_id} {self.reference}"


class StoreHeartbeat(models.Model):
    """The store's last heartbeat: its edge metrics and active alerts as it sent them."""

    store = models.OneToOneField(Store, on_delete=models.CASCADE, primary_key=True,
                                 related_name="heartbeat")  # fmt: skip
    received_at = models.DateTimeField()
    sent_at = models.DateTimeField(help_text="the store's clock when it sent it")
    config_version = models.PositiveIntegerField()
    acked_seq = models.PositiveBigIntegerField()
    metrics = models.JSONField()
    alerts = models.JSONField(default=list)

    def __str__(self) -> str:
        return f"{self.store_id} heard at {self.received_at:%Y-%m-%d %H:%M:%S}"
