from django.urls import path

from offramp.web.programs import views

app_name = "programs"

urlpatterns = [
    path("", views.directory, name="directory"),
    path("export/hsds.zip", views.export, name="export"),
    path("services/<uuid:service_id>/", views.program, name="program"),
    path("services/<uuid:service_id>/capacity/", views.update_capacity, name="update_capacity"),
]
