from django.urls import path

from store_edge.pos import views

app_name = "pos"
urlpatterns = [
    path("", views.lane_page, name="lane"),
    path("setup", views.setup, name="setup"),
    path("sign-in", views.sign_in, name="sign-in"),
    path("sign-out", views.sign_out, name="sign-out"),
    path("lock", views.lock, name="lock"),
    path("unlock", views.unlock, name="unlock"),
    path("display", views.customer_display, name="display"),
    path("receipts/<uuid:sale_id>", views.receipt, name="receipt"),
    path("shifts/<uuid:shift_id>/report", views.shift_report, name="shift-report"),
]
