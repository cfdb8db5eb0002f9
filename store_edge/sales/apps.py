from django.apps import AppConfig


class SalesConfig(AppConfig):
    name = "store_edge.sales"
    label = "sales"
    verbose_name = "Sales"
