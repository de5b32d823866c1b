from django.urls import path

from offramp.web.relief import views

app_name = "relief"

urlpatterns = [
    path("candidates/", views.candidates, name="candidates"),
    path("candidates.csv", views.candidates_csv, name="candidates_csv"),
    path("dispositions.csv", views.dispositions_csv, name="dispositions_csv"),
    path("followup/", views.followup_page, name="followup"),
    path("followup.csv", views.followup_download, name="followup_csv"),
]
