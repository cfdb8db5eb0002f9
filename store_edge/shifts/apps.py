from django.apps import AppConfig


class ShiftsConfig(AppConfig):
    name = "store_edge.shifts"
    label = "shifts"
    verbose_name = "Shifts"
