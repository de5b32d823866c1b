from django.contrib import admin
from django.urls import include, path

from offramp.web.accounts.access import denied

admin.site.site_header = "Offramp administration"
admin.site.site_title = "Offramp"

urlpatterns = [
    path("", include("offramp.web.cases.urls")),
    path("accounts/", include("offramp.web.accounts.urls")),
    path("programs/", include("offramp.web.programs.urls")),
    path("decisions/", include("offramp.web.decisions.urls")),
    path("treatment/", include("offramp.web.treatment.urls")),
    path("diversion/", include("offramp.web.diversion.urls")),
    path("victims/", include("offramp.web.victims.urls")),
    path("relief/", include("offramp.web.relief.urls")),
    path("analytics/", include("offramp.web.analytics.urls")),
    path("admin/", admin.site.urls),
]

handler403 = denied
