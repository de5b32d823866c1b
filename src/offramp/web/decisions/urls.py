from django.urls import path

from offramp.web.decisions import views

app_name = "decisions"

urlpatterns = [
    path("cases/<str:case_key>/", views.decide, name="decide"),
    path("queue/", views.queue, name="supervisor_queue"),
    path("<int:pk>/review/", views.review, name="review"),
    path("policies/", views.policies, name="policies"),
]
