from django.urls import path

from offramp.web.diversion import views

app_name = "diversion"

urlpatterns = [
    path("board/", views.board, name="board"),
    path("cases/<str:case_key>/offer/", views.offer, name="offer"),
    path("referrals/<int:pk>/transition/", views.transition, name="transition"),
    path("referrals/<int:pk>/conditions/", views.add_condition, name="add_condition"),
    path("conditions/<int:pk>/entries/", views.add_entry, name="add_entry"),
    path("referrals/<int:pk>/letter/", views.letter, name="letter"),
]
