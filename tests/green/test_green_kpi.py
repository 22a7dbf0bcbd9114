"""The cluster's chrome-free share KPI (registry.selectors' summary) measured from the firms'
green records: the latest year's share when records exist, the reported figure otherwise or
when too few firms tanned that year (withheld, as output value), the source stated on the
overview page and in the API, and the cached summary following the records' writes."""

from __future__ import annotations

import pytest
from django.utils import timezone

import factories
from clusterbrain.green import services
from clusterbrain.registry import selectors

# greendata.AREAS: chrome-free m² a month over all m² a month, the four tanneries of 2024
MEASURED_2024 = (400 + 0 + 500 + 1000) / (1000 + 1000 + 1000 + 1000)


def _kpi(cluster, user=None):
    kpis = {k.indicator: k for k in selectors.cluster_summary(cluster, user).kpis}
    return kpis["chrome_free_share"]


def test_reported_figure_without_records(world):
    factories.target(world.a, "chrome_free_share", 2030, 0.6)
    factories.figure(world.a, "chrome_free_share", 2023, 0.25, source="association")
    kpi = _kpi(world.a)
    assert (kpi.actual, kpi.source, kpi.actual_year) == (0.25, "reported", None)


def test_measured_share_from_the_records(green, client_for):
    w = green.world
    factories.target(w.a, "chrome_free_share", 2030, 0.6)
    factories.figure(w.a, "chrome_free_share", 2023, 0.25, source="association")
    kpi = _kpi(w.a)
    assert kpi.actual == pytest.approx(MEASURED_2024)
    assert (kpi.source, kpi.actual_year, kpi.suppressed) == ("green_records", 2024, False)
    assert kpi.reported == 0.25  # still shown beside it
    assert kpi.progress == pytest.approx(MEASURED_2024 / 0.6)
    page = client_for(HTTP_ACCEPT_LANGUAGE="en").get(f"/c/{w.a.slug}/").content.decode()
    assert "measured from the firms' green records, 2024" in page
    assert "reported: 25" in page
    zh = client_for(HTTP_ACCEPT_LANGUAGE="zh-hans").get(f"/c/{w.a.slug}/").content.decode()
    assert "绿色生产记录" in zh
    api = client_for().get(f"/api/v1/clusters/{w.a.slug}/summary").json()
    chrome = next(k for k in api["kpis"] if k["indicator"] == "chrome_free_share")
    assert chrome["source"] == "green_records" and chrome["actual_year"] == 2024
    assert chrome["actual"] == pytest.approx(MEASURED_2024)


def test_a_year_of_too_few_firms_is_withheld_and_the_cache_follows(green):
    w = green.world
    factories.figure(w.a, "chrome_free_share", 2023, 0.25, source="association")
    assert _kpi(w.a).source == "green_records"  # cached now
    month = timezone.localdate().strftime("%Y-%m")
    services.save_record(w.users.enterprise, w.own, {"month": month, "area_chrome_free_m2": 10})
    # this year: one firm tanned, below k: the public sees the reported figure
    kpi = _kpi(w.a)
    assert (kpi.actual, kpi.source, kpi.suppressed) == (0.25, "reported", True)
    office = _kpi(w.a, w.users.office)
    assert office.actual == 1.0 and office.source == "green_records"
    assert office.actual_year == timezone.localdate().year
    record = w.own.green_records.get(month=f"{month}-01")
    services.delete_record(w.users.enterprise, record)
    assert _kpi(w.a).actual == pytest.approx(MEASURED_2024)
