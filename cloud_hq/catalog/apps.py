from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "cloud_hq.catalog"
    label = "hq_catalog"
