from django.apps import AppConfig


class ReconciliationConfig(AppConfig):
    name = "cloud_hq.reconciliation"
    label = "hq_reconciliation"
