from django.urls import path

from offramp.web.programs import views

app_name = "programs"

urlpatterns = [
    path("", views.directory, name="directory"),
]
