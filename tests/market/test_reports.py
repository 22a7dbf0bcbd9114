"""Trend-release reports (issue 6 item 4): only the association composes and publishes; figures
are frozen from the public view and a withheld one is refused naming its section; a published
report never changes (a new version is a new draft); members, the public and drafts see what
they may; the PDF is a real PDF with the sections in it."""

from __future__ import annotations

import datetime
import io

import pytest

import factories
from clusterbrain.accounts.models import Role
from clusterbrain.errors import Forbidden, InvalidInput, NotFound
from clusterbrain.market import reports
from clusterbrain.market.demo import load_market_demo
from clusterbrain.market.models import ReportSection, ReportStatus, SalesRecord, TrendReport
from clusterbrain.market.services import touch_cluster

TODAY = datetime.date(2026, 11, 24)


@pytest.fixture
def today(monkeypatch):
    from clusterbrain.market import selectors

    monkeypatch.setattr(selectors, "_today", lambda: TODAY)


@pytest.fixture
def market(db, today):
    """A cluster with demo-like sales (planted trends; ostrich sold by one firm only) and a
    user of every role that matters here."""
    template = factories.chain_template("leather_goods", [], [])
    cluster = factories.cluster(slug="sl", name_zh="狮岭", name_en="Shiling", template=template)
    firms = [factories.enterprise(cluster, is_member=(i < 5)) for i in range(40)]
    assert load_market_demo(cluster, today=TODAY) > 25_000
    other = factories.cluster(slug="other", name_zh="别处", name_en="Elsewhere")
    users = {
        "association": factories.user(Role.ASSOCIATION, cluster=cluster, username="assoc"),
        "association_b": factories.user(Role.ASSOCIATION, cluster=other, username="assoc-b"),
        "office": factories.user(Role.OFFICE, cluster=cluster, username="office"),
        "member": factories.user(Role.ENTERPRISE, enterprise=firms[0], username="member"),
        "firm": factories.user(Role.ENTERPRISE, enterprise=firms[30], username="nonmember"),
        "admin": factories.user(Role.ADMIN, username="admin"),
        "bank": factories.user(Role.BANK, organisation="Bank", username="bank"),
    }
    return cluster, users


def _compose(cluster, user, audience="public"):
    report = reports.create_report(
        user,
        cluster,
        {
            "title_zh": "秋冬趋势发布",
            "title_en": "Autumn-winter trend release",
            "season": "2026 AW",
            "audience": audience,
        },
    )
    reports.add_section(
        user,
        report,
        {
            "kind": "text",
            "heading_zh": "概述",
            "heading_en": "Overview",
            "body_zh": "羊皮上升。",
            "body_en": "Sheepskin is rising.",
        },
    )
    reports.add_section(
        user,
        report,
        {
            "kind": "chart",
            "figure": "weekly_by_channel",
            "heading_zh": "各渠道周销售",
            "heading_en": "Weekly sales by channel",
        },
    )
    reports.add_section(
        user,
        report,
        {
            "kind": "trend",
            "figure": "material:sheepskin",
            "heading_zh": "上升：羊皮",
            "heading_en": "Rising: sheepskin",
        },
    )
    return report


def test_association_composes_publishes_and_the_public_reads(market, client_for):
    cluster, users = market
    report = _compose(cluster, users["association"])
    trend = report.sections.get(kind="trend").data["trend"]
    assert trend["direction"] == "rising" and trend["value"] == "sheepskin"
    # a draft: hidden from the public and members, seen by its association
    assert client_for(None).get(f"/market/reports/{report.pk}/").status_code == 404
    assert client_for(users["member"]).get(f"/market/reports/{report.pk}/").status_code == 404
    assert (
        client_for(users["association_b"]).get(f"/market/reports/{report.pk}/").status_code == 404
    )
    assert client_for(users["association"]).get(f"/market/reports/{report.pk}/").status_code == 200
    assert "秋冬趋势发布" not in client_for(None).get("/c/sl/market/reports/").content.decode()
    reports.publish(users["association"], report)
    page = client_for(None).get(f"/market/reports/{report.pk}/?lang=en")
    body = page.content.decode()
    assert page.status_code == 200 and "Autumn-winter trend release" in body
    assert "Rising: sheepskin" in body and 'data-chart="chart-section-' in body
    assert "秋冬趋势发布" in client_for(None).get("/c/sl/market/reports/").content.decode()


@pytest.mark.parametrize("who", ["firm", "member", "office", "bank", "association_b"])
def test_only_the_association_composes(market, client_for, who):
    cluster, users = market
    with pytest.raises(Forbidden):
        reports.create_report(users[who], cluster, {"title_zh": "不行"})
    response = client_for(users[who]).post(
        "/c/sl/market/reports/", {"title_zh": "不行", "audience": "public"}
    )
    assert response.status_code == 403
    assert not TrendReport.objects.exists()


def test_admin_composes_but_figures_stay_the_publics(market):
    cluster, users = market
    report = reports.create_report(users["admin"], cluster, {"title_zh": "管理员"})
    with pytest.raises(InvalidInput) as exc:
        reports.add_section(users["admin"], report, {"kind": "trend", "figure": "material:ostrich"})
    assert exc.value.errors[0].loc == ("sections", 1, "figure")
    assert "Section 1" in exc.value.detail or "1" in exc.value.detail


def test_a_withheld_figure_is_refused_naming_the_section(market, client_for):
    cluster, users = market
    report = _compose(cluster, users["association"])
    client = client_for(users["association"])
    response = client.post(
        f"/market/reports/{report.pk}/compose/?lang=en",
        {"action": "add", "kind": "trend", "figure": "material:ostrich"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 422
    text = response.content.decode()
    assert "Section 4" in text and "withheld" in text
    assert report.sections.count() == 3
    # nothing withheld is ever frozen: ostrich nowhere in the report's data
    assert "ostrich" not in str(list(report.sections.values_list("data", flat=True)))


def test_members_report_is_for_members(market, client_for):
    cluster, users = market
    report = _compose(cluster, users["association"], audience="members")
    reports.publish(users["association"], report)
    url = f"/market/reports/{report.pk}/"
    for who in ("member", "association", "office", "admin"):
        assert client_for(users[who]).get(url).status_code == 200, who
    for who in ("firm", "bank", "association_b"):
        assert client_for(users[who]).get(url).status_code == 404, who
    assert client_for(None).get(url).status_code == 404
    assert client_for(None).get(url + "pdf/").status_code == 404
    listing = client_for(None).get("/c/sl/market/reports/").content.decode()
    assert "秋冬趋势发布" not in listing
    assert (
        "秋冬趋势发布" in client_for(users["member"]).get("/c/sl/market/reports/").content.decode()
    )


def test_a_published_report_is_immutable_and_gets_new_versions(market, client_for):
    cluster, users = market
    report = _compose(cluster, users["association"])
    reports.publish(users["association"], report)
    frozen = list(report.sections.values_list("pk", "order", "data"))
    section = report.sections.first()
    assert section is not None
    for attempt in (
        lambda: reports.add_section(
            users["association"], report, {"kind": "text", "body_zh": "再加"}
        ),
        lambda: reports.update_report(users["association"], report, {"title_zh": "改名"}),
        lambda: reports.remove_section(users["association"], section),
        lambda: reports.move_section(users["association"], section, 1),
        lambda: reports.publish(users["association"], report),
    ):
        with pytest.raises(Forbidden):
            attempt()
    response = client_for(users["association"]).post(
        f"/market/reports/{report.pk}/compose/", {"action": "remove", "section": section.pk}
    )
    assert response.status_code == 403
    # new sales do not change the published figures
    SalesRecord.objects.filter(enterprise__cluster=cluster).update(value=1.0)
    touch_cluster(cluster)
    assert list(report.sections.values_list("pk", "order", "data")) == frozen
    report.refresh_from_db()
    assert report.title_zh == "秋冬趋势发布" and report.status == ReportStatus.PUBLISHED
    copy = reports.new_version(users["association"], report)
    assert copy.status == ReportStatus.DRAFT and copy.version == 2 and copy.previous == report
    assert copy.sections.count() == 3
    reports.remove_section(users["association"], copy.sections.first())
    assert report.sections.count() == 3


def test_reorder_and_remove_sections(market, client_for):
    cluster, users = market
    report = _compose(cluster, users["association"])
    client = client_for(users["association"])
    first, second, third = report.sections.order_by("order")
    client.post(f"/market/reports/{report.pk}/compose/", {"action": "down", "section": first.pk})
    assert [s.pk for s in report.sections.order_by("order")] == [second.pk, first.pk, third.pk]
    client.post(f"/market/reports/{report.pk}/compose/", {"action": "remove", "section": third.pk})
    assert [s.pk for s in report.sections.order_by("order")] == [second.pk, first.pk]
    page = client.get(f"/market/reports/{report.pk}/compose/")
    assert page.status_code == 200 and 'value="material:sheepskin"' in page.content.decode()
    assert 'value="material:ostrich"' not in page.content.decode()


def test_refused_header_names_the_field_and_saves_nothing(market, client_for):
    cluster, users = market
    response = client_for(users["association"]).post(
        "/c/sl/market/reports/", {"title_zh": "", "audience": "everyone"}
    )
    assert response.status_code == 422 and not TrendReport.objects.exists()
    with pytest.raises(InvalidInput) as exc:
        reports.create_report(
            users["association"], cluster, {"title_zh": "x", "audience": "everyone"}
        )
    assert exc.value.errors[0].loc == ("audience",)


@pytest.mark.parametrize(
    "lang,titles",
    [
        (
            "en",
            [
                "Autumn-winter trend release",
                "Overview",
                "Weekly sales by channel",
                "Rising: sheepskin",
                "sheepskin",
            ],
        ),
        ("zh", ["秋冬趋势发布", "概述", "各渠道周销售", "上升：羊皮"]),
    ],
)
def test_pdf_is_valid_and_carries_the_sections(market, client_for, lang, titles):
    pypdf = pytest.importorskip("pypdf")
    cluster, users = market
    report = _compose(cluster, users["association"])
    reports.publish(users["association"], report)
    response = client_for(None).get(f"/market/reports/{report.pk}/pdf/?lang={lang}")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    reader = pypdf.PdfReader(io.BytesIO(response.content))
    text = "".join(page.extract_text() for page in reader.pages)
    for title in titles:
        assert title in text, title


def test_missing_report_is_404(market, client_for):
    assert client_for(None).get("/market/reports/999999/").status_code == 404
    with pytest.raises(NotFound):
        reports.get_report(999999, None)
    assert ReportSection.objects.count() == 0


def test_demo_publishes_wenzhous_public_report(db, today, client_for):
    template = factories.chain_template("footwear", [], [])
    cluster = factories.cluster(
        slug="wenzhou", name_zh="温州", name_en="Wenzhou", template=template
    )
    for _ in range(40):
        factories.enterprise(cluster)
    load_market_demo(cluster, today=TODAY)
    report = TrendReport.objects.get(cluster=cluster)
    assert report.status == ReportStatus.PUBLISHED and report.audience == "public"
    kinds = list(report.sections.order_by("order").values_list("kind", flat=True))
    assert kinds[0] == "text" and "chart" in kinds and "trend" in kinds
    assert client_for(None).get(f"/market/reports/{report.pk}/pdf/").content.startswith(b"%PDF")


def test_api_compose_refuse_publish_and_read(market, client_for):
    cluster, users = market
    assoc = client_for(users["association"])
    created = assoc.post(
        "/api/v1/clusters/sl/market/reports",
        {"title_zh": "接口报告", "title_en": "API report", "audience": "members"},
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    rid = created.json()["id"]
    refused = assoc.post(
        f"/api/v1/market/reports/{rid}/sections",
        {"kind": "trend", "figure": "material:ostrich"},
        content_type="application/json",
    )
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["loc"] == ["sections", 1, "figure"]
    added = assoc.post(
        f"/api/v1/market/reports/{rid}/sections",
        {"kind": "chart", "figure": "channels", "heading_en": "By channel"},
        content_type="application/json",
    )
    assert added.status_code == 201 and len(added.json()["sections"]) == 1
    assert all(r["value"] is not None for r in added.json()["sections"][0]["data"]["rows"])
    firm = client_for(users["firm"])
    assert firm.post(f"/api/v1/market/reports/{rid}/publish").status_code == 404
    assert (
        firm.post(
            "/api/v1/clusters/sl/market/reports", {"title_zh": "x"}, content_type="application/json"
        ).status_code
        == 403
    )
    assert client_for(None).get(f"/api/v1/market/reports/{rid}").status_code == 404
    published = assoc.post(f"/api/v1/market/reports/{rid}/publish")
    assert published.status_code == 200 and published.json()["status"] == "published"
    again = assoc.post(
        f"/api/v1/market/reports/{rid}/sections",
        {"kind": "text", "body_zh": "再加"},
        content_type="application/json",
    )
    assert again.status_code == 403
    member = client_for(users["member"])
    assert member.get(f"/api/v1/market/reports/{rid}").status_code == 200
    assert [r["id"] for r in member.get("/api/v1/clusters/sl/market/reports").json()] == [rid]
    assert client_for(None).get("/api/v1/clusters/sl/market/reports").json() == []
    version = assoc.post(f"/api/v1/market/reports/{rid}/versions")
    assert version.status_code == 201 and version.json()["version"] == 2


def test_forecast_section_on_page_and_pdf(market, client_for):
    pypdf = pytest.importorskip("pypdf")
    cluster, users = market
    report = reports.create_report(users["association"], cluster, {"title_zh": "预测"})
    key = reports.forecast_choices(cluster)[0][0]
    reports.add_section(
        users["association"],
        report,
        {"kind": "forecast", "figure": key, "heading_en": "Forecast of the biggest series"},
    )
    frozen = report.sections.get().data
    assert frozen["forecast"]["mean"] and frozen["history"]["y"]
    with pytest.raises(InvalidInput) as exc:
        reports.add_section(users["association"], report, {"kind": "forecast", "figure": "x|y"})
    assert exc.value.errors[0].loc == ("sections", 2, "figure")
    client = client_for(users["association"])
    page = client.get(f"/market/reports/{report.pk}/")
    assert page.status_code == 200 and 'data-kind="forecast"' in page.content.decode()
    pdf = client.get(f"/market/reports/{report.pk}/pdf/?lang=en")
    text = "".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Forecast of the biggest series" in text


def test_bad_compose_posts_are_clear_errors_not_500(market, client_for):
    cluster, users = market
    report = _compose(cluster, users["association"])
    client = client_for(users["association"])
    url = f"/market/reports/{report.pk}/compose/"
    assert client.post(url, {"action": "remove", "section": "abc"}).status_code == 404
    assert client.post(url, {"action": "explode"}).status_code == 422
    assert client.post(url, {"action": "add", "kind": "poem"}).status_code == 422
    assert client.post(url, {"action": "add", "kind": "text"}).status_code == 422
    assert client.post(url, {"action": "add", "kind": "chart"}).status_code == 422
    assert client.post(url, {"action": "add", "kind": "chart", "figure": "nope"}).status_code == 422
    assert report.sections.count() == 3
