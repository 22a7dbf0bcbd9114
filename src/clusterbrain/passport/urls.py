from django.urls import path, re_path

from clusterbrain.passport import views

urlpatterns = [
    # GS1 Digital Link: /01/{gtin}/10/{lot} and /01/{gtin}/21/{serial} (parsed in the view, so a
    # malformed link is a 404 naming the part, and nothing else at the root starts with 01/)
    re_path(r"^01/(?P<rest>.*)$", views.by_digital_link, name="passport-digital-link"),
    path("p/<slug:slug>/", views.by_slug, name="passport-public"),
    path("p/<slug:slug>/qr.<str:fmt>", views.qr_code, name="passport-qr"),
    path("passports/", views.passport_list, name="passport-list"),
    path("passports/<int:passport_id>/", views.manage, name="passport-manage"),
    path("passports/<int:passport_id>/<slug:verb>/", views.action, name="passport-action"),
    path("trace/lots/<int:lot_id>/passport/", views.publish, name="passport-publish"),
    path("trace/lots/<int:lot_id>/eudr/", views.eudr_export, name="passport-eudr"),
]
