from django.apps import AppConfig


class PeripheralsConfig(AppConfig):
    name = "store_edge.peripherals"
    label = "peripherals"
    verbose_name = "Lane devices"
