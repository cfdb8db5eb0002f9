from django.apps import AppConfig


class PosConfig(AppConfig):
    name = "store_edge.pos"
    label = "pos"
    verbose_name = "POS page"
