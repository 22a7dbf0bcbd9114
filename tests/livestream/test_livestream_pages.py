"""The livestream pages in both languages: what each role sees, the forbidden paths, and the
operator's schedule form refusing bad input by field with nothing saved."""

from __future__ import annotations

import pytest

from clusterbrain.livestream.models import LivestreamSession

pytestmark = pytest.mark.django_db
ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}


@pytest.mark.parametrize("lang", [{}, ZH])
def test_pages_render_for_the_firm(world, base, client_for, lang):
    c = client_for(world.users.enterprise)
    r = c.get("/c/alpha/livestream/?week=2026-03-02", **lang)
    assert r.status_code == 200
    body = r.content.decode()
    assert "小美" in body and f'data-id="{base.done.pk}"' in body
    assert 'id="schedule-form"' not in body  # the operator's only
    r = c.get(f"/livestream/sessions/{base.done.pk}/", **lang)
    assert r.status_code == 200
    body = r.content.decode()
    assert f'data-firm="{world.own.pk}"' in body
    assert f'data-firm="{world.sharing.pk}"' not in body
    assert 'id="own-roi"' in body
    r = c.get(f"/firms/{world.own.pk}/livestream/", **lang)
    assert r.status_code == 200 and "chart-roi-sessions" in r.content.decode()
    r = c.get("/c/alpha/livestream/match/", **lang)
    assert r.status_code == 200 and f'data-streamer="{base.bags.pk}"' in r.content.decode()
    if lang:
        assert "直播" in body


def test_withheld_totals_on_the_page(world, base, client_for, settings):
    settings.AGGREGATE_MIN_FIRMS = 3
    body = client_for(world.users.bank).get(f"/livestream/sessions/{base.two.pk}/").content.decode()
    assert 'id="withheld-note"' in body and "8,000" not in body and "8000" not in body
    office = client_for(world.users.office).get(f"/livestream/sessions/{base.two.pk}/")
    assert 'id="withheld-note"' not in office.content.decode()


def test_forbidden_pages(world, base, client_for):
    anon = client_for(None).get("/c/alpha/livestream/")
    assert anon.status_code == 302
    for user in (world.users.association, world.users.bank, world.users.office_b):
        assert client_for(user).get(f"/firms/{world.own.pk}/livestream/").status_code == 404
    r = client_for(world.users.enterprise).post(
        "/c/alpha/livestream/", {"streamer": base.bags.pk, "start": "2026-05-01 20:00"}
    )
    assert r.status_code == 403
    assert client_for(world.users.bank).get("/livestream/sessions/999999/").status_code == 404
    assert client_for(world.users.bank).get("/c/nope/livestream/").status_code == 404


def test_operator_schedules_from_the_page(world, base, client_for):
    c = client_for(world.users.association)
    before = LivestreamSession.objects.count()
    r = c.post(
        "/c/alpha/livestream/",
        {"streamer": base.bags.pk, "start": "2026-03-09 19:30", "duration_minutes": "60"},
    )
    assert r.status_code == 422
    assert 'data-field="start"' in r.content.decode()
    r = c.post(
        "/c/alpha/livestream/",
        {"streamer": base.bags.pk, "start": "2026-03-09 22:00", "duration_minutes": "-5"},
    )
    assert r.status_code == 422 and 'data-field="duration_minutes"' in r.content.decode()
    r = c.post("/c/alpha/livestream/", {"streamer": base.bags.pk, "start": "soon"})
    assert r.status_code == 422 and 'data-field="start"' in r.content.decode()
    assert LivestreamSession.objects.count() == before
    r = c.post(
        "/c/alpha/livestream/",
        {
            "streamer": base.bags.pk,
            "start": "2026-03-10 20:00",
            "duration_minutes": "90",
            "firms": [world.own.pk],
        },
    )
    assert r.status_code == 302
    assert LivestreamSession.objects.count() == before + 1


def _results(**fields):
    data = {"action": "results", "viewers": "3000", "orders": "40", "gmv": "9000"}
    data.update(fields)
    return data


def test_operator_records_results_on_the_session_page(world, base, client_for):
    from clusterbrain.livestream.models import SessionItem

    c = client_for(world.users.association)
    url = f"/livestream/sessions/{base.planned.pk}/"
    body = c.get(url).content.decode()
    assert 'id="results-form"' in body and 'id="cancel-form"' in body
    # The featured firm is the first row, chosen; no figures are shown back.
    assert f'<option value="{world.own.pk}" selected>' in body
    r = c.post(
        url,
        _results(
            **{
                "item-0-enterprise": str(world.own.pk),
                "item-0-category": "bags",
                "item-0-units": "30",
                "item-0-gmv": "6000",
                "item-0-returns_value": "600",
                "item-1-enterprise": str(world.sharing.pk),
                "item-1-category": "belts",
                "item-1-gmv": "2000",
            }
        ),
    )
    assert r.status_code == 302
    base.planned.refresh_from_db()
    assert base.planned.status == "done" and base.planned.gmv == 9000
    items = SessionItem.objects.filter(session=base.planned).order_by("gmv")
    assert [(i.enterprise_id, i.category, i.gmv) for i in items] == [
        (world.sharing.pk, "belts", 2000),
        (world.own.pk, "bags", 6000),
    ]
    assert set(base.planned.firms.values_list("pk", flat=True)) == {world.own.pk, world.sharing.pk}


@pytest.mark.parametrize("lang", [{"HTTP_ACCEPT_LANGUAGE": "en"}, ZH])
def test_results_form_refuses_bad_rows_by_row_and_saves_nothing(world, base, client_for, lang):
    from clusterbrain.livestream.models import SessionItem

    c = client_for(world.users.association)
    url = f"/livestream/sessions/{base.planned.pk}/"
    r = c.post(
        url,
        _results(
            **{
                "item-0-enterprise": str(world.own.pk),
                "item-0-category": "bags",
                "item-0-gmv": "500",
                "item-1-enterprise": str(world.outsider.pk),  # another cluster's firm
                "item-1-category": "bags",
                "item-1-gmv": "-5",
            }
        ),
        **lang,
    )
    assert r.status_code == 422
    body = r.content.decode()
    assert 'data-field="item-1-enterprise"' in body and 'data-field="item-1-gmv"' in body
    assert 'data-field="item-0-gmv"' not in body
    assert ("第 2 行" in body) if lang == ZH else ("Item row 2" in body)
    # What was typed is kept in the form.
    assert 'value="-5"' in body
    base.planned.refresh_from_db()
    assert base.planned.status == "planned"
    assert not SessionItem.objects.filter(session=base.planned).exists()
    r = c.post(url, _results(gmv="100", returns_value="200"), **lang)
    assert r.status_code == 422 and 'data-field="returns_value"' in r.content.decode()
    base.planned.refresh_from_db()
    assert base.planned.status == "planned"


def test_only_the_operator_records_or_cancels(world, base, client_for):
    url = f"/livestream/sessions/{base.planned.pk}/"
    for user in (world.users.enterprise, world.users.office, world.users.bank):
        c = client_for(user)
        assert 'id="results-form"' not in c.get(url).content.decode()
        assert c.post(url, _results()).status_code == 403
        assert c.post(url, {"action": "cancel"}).status_code == 403
    base.planned.refresh_from_db()
    assert base.planned.status == "planned"
    assert client_for(world.users.office_b).post(url, _results()).status_code == 403


def test_a_future_session_is_cancelled_not_given_results(world, base, client_for):
    import datetime

    from django.utils import timezone

    from clusterbrain.livestream import services

    future = services.schedule_session(
        world.users.association,
        base.bags,
        start=timezone.now() + datetime.timedelta(days=3),
        duration_minutes=60,
        firms=[world.own],
    )
    c = client_for(world.users.association)
    url = f"/livestream/sessions/{future.pk}/"
    r = c.post(url, _results())
    assert r.status_code == 422 and 'data-field="status"' in r.content.decode()
    future.refresh_from_db()
    assert future.status == "planned"
    assert c.post(url, {"action": "cancel"}).status_code == 302
    future.refresh_from_db()
    assert future.status == "cancelled"
    assert 'id="results-form"' not in c.get(url).content.decode()
