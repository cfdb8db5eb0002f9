from django.apps import AppConfig


class BasketsConfig(AppConfig):
    name = "store_edge.baskets"
    label = "baskets"
    verbose_name = "Baskets"
