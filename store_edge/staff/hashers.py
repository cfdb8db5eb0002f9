"""The hash of a staff PIN (settings.PASSWORD_HASHERS names it)."""

from django.contrib.auth.hashers import PBKDF2PasswordHasher


class PinHasher(PBKDF2PasswordHasher):
    """PBKDF2 for PINs: 60,000 rounds (about 30 ms here)."""

    algorithm = "pin_pbkdf2_sha256"
    iterations = 60_000
