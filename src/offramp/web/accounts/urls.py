from django.contrib.auth import views as auth_views
from django.urls import path

from offramp.web.accounts import mfa

app_name = "accounts"

urlpatterns = [
    path(
        "sign-in/",
        auth_views.LoginView.as_view(template_name="accounts/sign_in.html", redirect_authenticated_user=True),
        name="login",
    ),
    path("sign-out/", auth_views.LogoutView.as_view(), name="logout"),
    path("mfa/enrol/", mfa.enrol, name="mfa_enrol"),
    path("mfa/verify/", mfa.verify, name="mfa_verify"),
]
