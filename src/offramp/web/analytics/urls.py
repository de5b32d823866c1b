from django.urls import path

from offramp.web.analytics import views

app_name = "analytics"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("indicators/", views.indicators, name="indicators"),
    path("disparity/", views.disparity_page, name="disparity"),
    path("diversion/", views.diversion, name="diversion"),
    path("health/", views.health, name="health"),
    path("restitution/", views.restitution, name="restitution"),
    path("definitions/", views.definitions, name="definitions"),
    path("definitions/<str:metric_id>/", views.definition, name="definition"),
    path("justice-counts.csv", views.justice_counts_csv, name="justice_counts_csv"),
    path("transparency/", views.transparency, name="transparency"),
    path("transparency.pdf", views.transparency_pdf, name="transparency_pdf"),
    path("simulate/", views.simulate_page, name="simulate"),
]
