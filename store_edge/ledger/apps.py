from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "store_edge.ledger"
    label = "ledger"
    verbose_name = "Ledger"
