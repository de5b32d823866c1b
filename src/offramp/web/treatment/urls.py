from django.urls import path

from offramp.web.treatment import views

app_name = "treatment"

urlpatterns = [
    path("cases/<str:case_key>/screen/", views.screen, name="screen"),
    path("cases/<str:case_key>/needs/", views.needs, name="needs"),
    path("cases/<str:case_key>/consent/", views.consent, name="consent"),
    path("cases/<str:case_key>/report/", views.report, name="report"),
    path("cases/<str:case_key>/reports.csv", views.reports_csv, name="reports_csv"),
    path("consents/<int:pk>/revoke/", views.revoke, name="revoke"),
    path("consents/<int:pk>/print/", views.print_consent, name="print_consent"),
]
