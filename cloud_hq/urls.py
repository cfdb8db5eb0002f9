from django.contrib import admin
from django.urls import include, path

from cloud_hq.api import api
from cloud_hq.stores import probes

urlpatterns = [
    path("health", probes.health, name="health"),
    path("ready", probes.ready, name="ready"),
    path("metrics", probes.metrics, name="metrics"),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    path("", include("cloud_hq.reporting.urls")),
]
