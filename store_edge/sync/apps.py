from django.apps import AppConfig


class SyncConfig(AppConfig):
    name = "store_edge.sync"
    label = "sync"
    verbose_name = "Sync with HQ"
