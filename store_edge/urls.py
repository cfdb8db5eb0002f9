from django.contrib import admin
from django.urls import path

from store_edge.api import api
from store_edge.monitoring import views as monitoring

urlpatterns = [
    path("health", monitoring.health, name="health"),
    path("ready", monitoring.ready, name="ready"),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]
