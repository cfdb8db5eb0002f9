from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "store_edge.catalog"
    label = "catalog"
    verbose_name = "Catalogue (from HQ)"
