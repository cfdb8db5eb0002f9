from django.contrib.auth import views as auth_views
from django.urls import path

from cloud_hq.reporting import views

app_name = "reporting"
urlpatterns = [
    path(
        "login/",
        auth_views.LoginView.as_view(
            template_name="reporting/login.html", redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(next_page="/login/"), name="logout"),
    path("reports/", views.index, name="index"),
    path("reports/<slug:slug>/", views.report, name="report"),
    path("fleet/", views.fleet_page, name="fleet"),
    path("fleet/<str:code>/", views.fleet_store, name="fleet-store"),
]
