from django.apps import AppConfig


class IngestConfig(AppConfig):
    name = "cloud_hq.ingest"
    label = "hq_ingest"

    def ready(self) -> None:
        from cloud_hq.ingest import lookups  # noqa: F401 - registers the `anyof` lookup
