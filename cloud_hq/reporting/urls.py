from django.urls import path

from cloud_hq.reporting import views

app_name = "reporting"
urlpatterns = [
    path("reports/", views.index, name="index"),
    path("reports/<slug:slug>/", views.report, name="report"),
    path("fleet/", views.fleet_page, name="fleet"),
    path("fleet/<str:code>/", views.fleet_store, name="fleet-store"),
]
