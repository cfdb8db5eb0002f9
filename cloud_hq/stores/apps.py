from django.apps import AppConfig


class StoresConfig(AppConfig):
    name = "cloud_hq.stores"
    label = "hq_stores"
