from django.urls import path

from offramp.web.victims import views

app_name = "victims"

urlpatterns = [
    path("cases/<str:case_key>/consult/", views.consult, name="consult"),
    path("cases/<str:case_key>/letters/", views.generate_letter, name="generate_letter"),
    path("cases/<str:case_key>/orders/new/", views.new_order, name="new_order"),
    path("letters/<int:pk>/", views.letter, name="letter"),
    path("orders/<int:pk>/", views.order, name="order"),
    path("orders/<int:pk>/payment/", views.payment, name="payment"),
    path("orders/<int:pk>/reverse/", views.reverse_entry, name="reverse"),
    path("orders/<int:pk>/plan/", views.plan, name="plan"),
]
