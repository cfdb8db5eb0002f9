from django.apps import AppConfig


class StaffConfig(AppConfig):
    name = "store_edge.staff"
    label = "staff"
    verbose_name = "Staff"
