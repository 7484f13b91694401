from django.contrib import admin
from django.urls import include, path

from zoneeval import health
from zoneeval.authorities.views import ThrottledLoginView

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),  # answered by health.HealthCheckMiddleware before the Host check
    path("admin/", admin.site.urls),
    path("accounts/login/", ThrottledLoginView.as_view(), name="login"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("zoneeval.workflow.urls")),
    path("", include("zoneeval.archive.urls")),
    path("", include("zoneeval.drafting.urls")),
    path("", include("zoneeval.assembly.urls")),
    path("", include("zoneeval.comparison.urls")),
    path("", include("zoneeval.reports.urls")),
]

handler403 = "zoneeval.errors.permission_denied"
handler404 = "zoneeval.errors.page_not_found"
handler500 = "zoneeval.errors.server_error"
