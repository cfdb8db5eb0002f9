from django.apps import AppConfig


class BasketsConfig(AppConfig):
    name = "store_edge.baskets"
    label = "baskets"
    verbose_name = "Baskets"

    def ready(self) -> None:
        from store_edge.baskets import checks  # noqa: F401 - registers the store's checks
