"""The pages where a firm keeps its profile (chain roles, sites, certificates, yearly figures), the
association's "register a firm" page and certificate verification, through the real URLs: each
form shows the service's errors on their fields and saves nothing, then saves; who may do what;
the same requests made by HTMX."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

import factories
from clusterbrain.registry.models import (
    Certification,
    Enterprise,
    EnterpriseRole,
    EnterpriseYear,
    Facility,
)

pytestmark = pytest.mark.django_db

ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-Hans"}
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
HX = {"HTTP_HX_REQUEST": "true"}
PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def field_errors(html: str, name: str) -> str:
    """The error list under one field of a form ("" when the field has none)."""
    match = re.search(
        rf'<div class="field field--error[^"]*">\s*<label for="id_{name}">.*?</div>', html, re.S
    )
    if not match:
        return ""
    errors = re.search(r'<ul class="errorlist".*?</ul>', match.group(0), re.S)
    return errors.group(0) if errors else ""


def url(name: str, firm: Enterprise, *args) -> str:
    return reverse(name, args=[firm.pk, *args])


# --- chain roles ---------------------------------------------------------------------------------


def test_own_firm_adds_a_chain_role_after_fixing_a_negative_capacity(site):
    client = logged_in(site.users.enterprise)
    page = url("enterprise-roles", site.own)
    response = client.get(page, **EN)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Recorded chain roles" in html and "Tanning" in html  # the role it has
    assert '<option value="cutting">' in html and "Machinery (support)" in html
    before = EnterpriseRole.objects.count()

    data = {"link_code": "cutting", "product_category": "handbags", "capacity_per_month": "-5"}
    response = client.post(page, data, **EN)
    assert response.status_code == 422
    html = response.content.decode()
    assert "Nothing was saved" in html
    assert "negative" in field_errors(html, "capacity_per_month")
    assert 'value="handbags"' in html  # the input is kept for correction
    assert EnterpriseRole.objects.count() == before

    data["capacity_per_month"] = "1200"
    response = client.post(page, data, **EN)
    assert response.status_code == 302 and response["Location"] == page
    role = EnterpriseRole.objects.get(enterprise=site.own, link__code="cutting")
    assert (role.product_category, role.capacity_per_month, role.output_per_month) == (
        "handbags",
        1200,
        0,
    )
    html = client.get(page, **EN).content.decode()
    assert "The chain role was saved." in html and "handbags" in html
    profile = client.get(url("enterprise-profile", site.own), **EN).content.decode()
    assert "Cutting" in profile and "1,200" in profile


def test_a_link_outside_the_clusters_chain_is_refused_on_its_field(site):
    client = logged_in(site.users.enterprise)
    response = client.post(
        url("enterprise-roles", site.own),
        {"link_code": "no-such-link", "capacity_per_month": "10"},
        **EN,
    )
    assert response.status_code == 422
    assert "is not a link of this cluster" in field_errors(response.content.decode(), "link_code")
    assert not EnterpriseRole.objects.filter(enterprise=site.own, link__code="no-such-link")


def test_role_errors_are_in_chinese_on_chinese_pages(site):
    client = logged_in(site.users.enterprise)
    response = client.post(
        url("enterprise-roles", site.own),
        {"link_code": "cutting", "capacity_per_month": "-3", "output_per_month": ""},
        **ZH,
    )
    assert response.status_code == 422
    html = response.content.decode()
    errors = field_errors(html, "capacity_per_month")
    assert "未保存任何内容" in html and "负" in errors and "negative" not in errors
    response = client.post(url("enterprise-roles", site.own), {"link_code": "cutting"}, **ZH)
    assert "必填" in field_errors(response.content.decode(), "capacity_per_month")


def test_changing_and_removing_a_role(site):
    client = logged_in(site.users.enterprise)
    role = EnterpriseRole.objects.get(enterprise=site.own, link__code="tanning")
    page = url("enterprise-roles", site.own)
    html = client.get(page + f"?role={role.pk}", **EN).content.decode()
    assert "Change a chain role" in html
    assert 'value="1000.0"' in html and '<option value="tanning" selected>' in html
    response = client.post(
        page + f"?role={role.pk}",
        {"link_code": "tanning", "capacity_per_month": "1500", "output_per_month": "900"},
        **EN,
    )
    assert response.status_code == 302
    role.refresh_from_db()
    assert (role.capacity_per_month, role.output_per_month) == (1500, 900)

    response = client.post(url("enterprise-role-remove", site.own, role.pk), **EN)
    assert response.status_code == 302 and response["Location"] == page
    assert not EnterpriseRole.objects.filter(pk=role.pk).exists()
    assert "The chain role was removed." in client.get(page, **EN).content.decode()
    # Removing it again, or a role of another firm, is a 404.
    other_role = EnterpriseRole.objects.get(enterprise=site.other, link__code="tanning")
    for role_id in (role.pk, other_role.pk):
        response = client.post(url("enterprise-role-remove", site.own, role_id), **EN)
        assert response.status_code == 404
    assert EnterpriseRole.objects.filter(pk=other_role.pk).exists()
    assert client.get(url("enterprise-role-remove", site.own, other_role.pk)).status_code == 405


def test_htmx_posts_swap_the_editor_and_keep_the_status(site):
    client = logged_in(site.users.enterprise)
    page = url("enterprise-roles", site.own)
    html = client.get(page, **EN).content.decode()
    assert 'hx-post="' + page + '"' in html and 'hx-select="#editor"' in html
    response = client.post(page, {"link_code": "cutting", "capacity_per_month": "-1"}, **EN, **HX)
    assert response.status_code == 422  # swapped in by the htmx-config of base.html
    assert 'id="editor"' in response.content.decode()
    response = client.post(
        page, {"link_code": "cutting", "capacity_per_month": "3"}, follow=True, **EN, **HX
    )
    html = response.content.decode()
    assert response.status_code == 200 and 'id="messages"' in html
    assert "The chain role was saved." in html


# --- sites ---------------------------------------------------------------------------------------


def test_adding_a_site_shows_each_error_then_saves(site):
    client = logged_in(site.users.enterprise)
    page = url("enterprise-sites", site.own)
    assert "No site recorded yet." in client.get(page, **EN).content.decode()
    bad = {
        "name_zh": "江西基地",
        "kind": "production",
        "admin_division": "36ab",
        "latitude": "123",
        "longitude": "115.8",
    }
    response = client.post(page, bad, **EN)
    assert response.status_code == 422
    html = response.content.decode()
    assert field_errors(html, "admin_division") and field_errors(html, "latitude")
    assert not Facility.objects.filter(enterprise=site.own).exists()

    good = {**bad, "admin_division": "360100", "latitude": "28.68", "name_en": "Jiangxi base"}
    response = client.post(page, good, **EN)  # in_cluster unticked: a site elsewhere
    assert response.status_code == 302
    facility = Facility.objects.get(enterprise=site.own)
    assert (facility.name_zh, facility.in_cluster, facility.latitude) == ("江西基地", False, 28.68)
    profile = client.get(url("enterprise-profile", site.own), **EN).content.decode()
    assert "Jiangxi base" in profile and "outside the cluster" in profile


# --- certificates --------------------------------------------------------------------------------


def test_a_certificate_with_evidence_is_self_declared_until_the_association_verifies_it(site):
    client = logged_in(site.users.enterprise)
    page = url("enterprise-certificates", site.own)
    html = client.get(page, **EN).content.decode()
    assert 'enctype="multipart/form-data"' in html and 'name="evidence"' in html

    data = {
        "kind": "iso14001",
        "issuer": "CQC",
        "number": "ISO-1",
        "valid_from": "2025-01-01",
        "valid_until": "2024-01-01",
        "evidence": SimpleUploadedFile("scan.pdf", b"not a pdf", content_type="application/pdf"),
    }
    response = client.post(page, data, **EN)
    assert response.status_code == 422
    html = response.content.decode()
    assert "cannot end before it starts" in field_errors(html, "valid_until")
    assert field_errors(html, "evidence")
    assert not Certification.objects.filter(enterprise=site.own, kind="iso14001").exists()

    data.update(
        valid_until="2027-12-31",
        evidence=SimpleUploadedFile("scan.pdf", PDF, content_type="application/pdf"),
    )
    response = client.post(page, data, **EN)
    assert response.status_code == 302
    cert = Certification.objects.get(enterprise=site.own, kind="iso14001")
    assert not cert.verified and cert.evidence
    profile = client.get(url("enterprise-profile", site.own), **EN).content.decode()
    assert "ISO 14001" in profile and "unverified (self-declared)" in profile
    assert "Verify" not in profile  # not the firm's own to check
    response = client.post(url("enterprise-certificate-verify", site.own, cert.pk), **EN)
    assert response.status_code == 403
    # The firm itself may open its evidence; another firm may not tell that it exists.
    evidence_url = url("enterprise-certificate-evidence", site.own, cert.pk)
    response = client.get(evidence_url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    other = logged_in(factories.user(enterprise=site.other))
    assert other.get(evidence_url).status_code == 404

    association = logged_in(site.users.association)
    profile = association.get(url("enterprise-profile", site.own), **EN).content.decode()
    verify = url("enterprise-certificate-verify", site.own, cert.pk)
    assert f'action="{verify}"' in profile
    response = association.post(
        verify, {"next": url("enterprise-profile", site.own)}, follow=True, **EN
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "ISO 14001 was verified" in html
    cert.refresh_from_db()
    assert cert.verified and cert.verified_by == site.users.association
    assert f'action="{verify}"' not in html


def test_verify_refuses_a_certificate_of_another_firm_and_unsafe_next(site):
    cert = factories.certification(site.other, Certification.Kind.ISO9001, verified=False)
    association = logged_in(site.users.association)
    response = association.post(url("enterprise-certificate-verify", site.own, cert.pk))
    assert response.status_code == 404
    response = association.post(
        url("enterprise-certificate-verify", site.other, cert.pk), {"next": "https://evil.test/"}
    )
    assert response.status_code == 302
    assert response["Location"] == url("enterprise-profile", site.other)


def test_removing_a_certificate(site):
    cert = Certification.objects.get(enterprise=site.own, kind="lwg_gold")
    client = logged_in(site.users.enterprise)
    response = client.post(url("enterprise-certificate-remove", site.own, cert.pk), **EN)
    assert response.status_code == 302
    assert not Certification.objects.filter(pk=cert.pk).exists()


# --- yearly figures ------------------------------------------------------------------------------


def test_own_firm_records_a_year_and_keeps_blank_figures(site):
    client = logged_in(site.users.enterprise)
    page = url("enterprise-years", site.own)
    html = client.get(page, **EN).content.decode()
    assert "Recorded yearly figures" in html and "2024" in html
    response = client.post(page, {"year": "2024", "revenue": "-1", "employees": "1.5"}, **EN)
    assert response.status_code == 422
    html = response.content.decode()
    assert field_errors(html, "revenue") and field_errors(html, "employees")
    response = client.post(page, {"year": "2023", "revenue": "25000000", "employees": "80"}, **EN)
    assert response.status_code == 302
    row = EnterpriseYear.objects.get(enterprise=site.own, year=2023)
    assert (row.revenue, row.employees, row.output_value) == (25_000_000, 80, None)
    # A blank field keeps the recorded figure.
    response = client.post(page, {"year": "2023", "exports": "1000"}, **EN)
    row.refresh_from_db()
    assert (row.revenue, row.exports) == (25_000_000, 1000)
    html = client.get(page + "?year=2023", **EN).content.decode()
    assert "Change a year" in html and 'value="25000000.00"' in html


def test_yearly_figures_only_for_those_who_may_read_them(site):
    association = logged_in(site.users.association)
    # `own` is a member that does not share its figures: the association keeps its profile
    # but may not record (or read) its figures.
    assert association.get(url("enterprise-roles", site.own)).status_code == 200
    html = association.get(url("enterprise-roles", site.own), **EN).content.decode()
    assert url("enterprise-years", site.own) not in html
    assert association.get(url("enterprise-years", site.own)).status_code == 403
    response = association.post(url("enterprise-years", site.own), {"year": "2023"})
    assert response.status_code == 403
    assert not EnterpriseYear.objects.filter(enterprise=site.own, year=2023).exists()
    assert association.get(url("enterprise-years", site.sharing)).status_code == 200


# --- who may edit --------------------------------------------------------------------------------

EDIT_PAGES = [
    "enterprise-edit",
    "enterprise-roles",
    "enterprise-sites",
    "enterprise-certificates",
    "enterprise-years",
]


@pytest.mark.parametrize("name", EDIT_PAGES)
def test_edit_pages_are_for_the_firm_and_its_stewards_only(site, name):
    page = url(name, site.own)
    response = Client().get(page)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    other = logged_in(factories.user(enterprise=site.other))
    for user_client in (other, logged_in(site.users.bank), logged_in(site.users.office)):
        for method in (user_client.get, user_client.post):
            response = method(page, **EN)
            assert response.status_code == 403
            assert "You may not open this page" in response.content.decode()
    response = logged_in(site.users.enterprise).get(page, **EN)
    assert response.status_code == 200
    html = response.content.decode()
    for tab in EDIT_PAGES:  # the tabs link every part
        assert url(tab, site.own) in html
    assert 'aria-current="page">' in html


def test_profile_links_each_part_to_its_editor(site):
    html = logged_in(site.users.enterprise).get(url("enterprise-profile", site.own), **EN)
    html = html.content.decode()
    for name in EDIT_PAGES:
        assert url(name, site.own) in html
    public = Client().get(url("enterprise-profile", site.own), **EN).content.decode()
    for name in EDIT_PAGES:
        assert url(name, site.own) not in public


def test_edit_profile_page_links_the_other_parts(site):
    html = logged_in(site.users.enterprise).get(url("enterprise-edit", site.own), **EN)
    html = html.content.decode()
    assert "maintained elsewhere" not in html
    assert url("enterprise-roles", site.own) in html


# --- registering a firm --------------------------------------------------------------------------


def test_association_registers_a_firm_from_the_directory(site):
    association = logged_in(site.users.association)
    directory = association.get(reverse("directory", args=["alpha"]), **EN).content.decode()
    new_page = reverse("enterprise-new", args=["alpha"])
    assert f'href="{new_page}"' in directory and "Register a firm" in directory
    html = association.get(new_page, **EN).content.decode()
    assert 'name="is_member"' in html and 'name="shares_with_association"' not in html
    before = Enterprise.objects.count()
    data = {
        "name_zh": "新登记皮具",
        "name_en": "Newly Registered Goods",
        "uscc": "91440114ABCDEFGH12",
        "legal_form": "llc",
        "size_class": "small",
        "in_cluster": "on",
        "is_member": "on",
    }
    response = association.post(new_page, data, **EN)
    assert response.status_code == 422
    html = response.content.decode()
    assert "Invalid unified social credit code" in field_errors(html, "uscc")
    assert Enterprise.objects.count() == before

    data["uscc"] = factories.new_uscc()
    response = association.post(new_page, data, **EN)
    firm = Enterprise.objects.get(name_en="Newly Registered Goods")
    assert response.status_code == 302
    assert response["Location"] == url("enterprise-roles", firm)
    assert firm.cluster == site.a and firm.is_member and firm.in_cluster
    html = association.get(response["Location"], **EN).content.decode()
    assert "Newly Registered Goods was registered" in html


def test_only_stewards_register_firms(site):
    new_page = reverse("enterprise-new", args=["alpha"])
    assert Client().get(new_page).status_code == 302
    for user in (site.users.enterprise, site.users.office, site.users.bank):
        client = logged_in(user)
        assert client.get(new_page).status_code == 403
        assert client.post(new_page, {"name_zh": "x"}).status_code == 403
        directory = client.get(reverse("directory", args=["alpha"]), **EN).content.decode()
        assert new_page not in directory
    # Staff of another cluster's association may not register firms here.
    other_assoc = factories.user("association", cluster=site.b)
    assert logged_in(other_assoc).get(new_page).status_code == 403
    assert logged_in(site.users.admin).get(new_page).status_code == 200


# --- header and log-out --------------------------------------------------------------------------


def test_enterprise_users_have_a_my_firm_link(site):
    html = logged_in(site.users.enterprise).get(reverse("home"), **EN).content.decode()
    assert f'href="{url("enterprise-profile", site.own)}">My firm<' in html
    for user in (None, site.users.association):
        client = logged_in(user) if user else Client()
        assert "My firm" not in client.get(reverse("home"), **EN).content.decode()


def test_get_logout_shows_a_button_and_post_logs_out(site):
    client = logged_in(site.users.enterprise)
    response = client.get(reverse("logout") + "?next=/c/alpha/", **EN)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'method="post" action="/accounts/logout/"' in html
    assert 'name="next" value="/c/alpha/"' in html
    assert "own-user" in html
    response = client.post(reverse("logout"), {"next": "/c/alpha/"})
    assert response.status_code == 302 and response["Location"] == "/c/alpha/"
    response = client.get(reverse("logout"), **ZH)
    assert response.status_code == 200 and "您尚未登录" in response.content.decode()
