from django.apps import AppConfig


class PublishingConfig(AppConfig):
    name = "cloud_hq.publishing"
    label = "hq_publishing"
