from django.apps import AppConfig


class IngestConfig(AppConfig):
    name = "cloud_hq.ingest"
    label = "hq_ingest"
