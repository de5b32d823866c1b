from django.urls import path

from offramp.web.cases import views

app_name = "cases"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("cases/<str:case_key>/", views.detail, name="detail"),
]
