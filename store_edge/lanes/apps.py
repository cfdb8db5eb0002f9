from django.apps import AppConfig


class LanesConfig(AppConfig):
    name = "store_edge.lanes"
    label = "lanes"
    verbose_name = "Lanes"
