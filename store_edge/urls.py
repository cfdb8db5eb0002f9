from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from store_edge.api import api
from store_edge.monitoring import views as monitoring

urlpatterns = [
    path("health", monitoring.health, name="health"),
    path("ready", monitoring.ready, name="ready"),
    path("metrics", monitoring.metrics, name="metrics"),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    path("pos/", include("store_edge.pos.urls")),
    path("", RedirectView.as_view(pattern_name="pos:lane")),
]
