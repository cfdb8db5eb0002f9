from django.apps import AppConfig


class InventoryConfig(AppConfig):
    name = "store_edge.inventory"
    label = "inventory"
    verbose_name = "Inventory ledger"
