from django.contrib import admin
from django.urls import include, path

from clusterbrain.api import api
from clusterbrain.trace.epcis_api import epcis_api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("epcis/", epcis_api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("clusterbrain.accounts.urls")),
    path("", include("clusterbrain.matching.urls")),
    path("", include("clusterbrain.trace.urls")),
    path("", include("clusterbrain.passport.urls")),
    path("", include("clusterbrain.green.urls")),
    path("", include("clusterbrain.market.urls")),
    path("", include("clusterbrain.livestream.urls")),
    path("", include("clusterbrain.programs.urls")),
    path("", include("clusterbrain.awards.urls")),
    path("", include("clusterbrain.finance.urls")),
    path("", include("clusterbrain.brand.urls")),
    path("", include("clusterbrain.exhibitions.urls")),
    path("", include("clusterbrain.web.urls")),
]
