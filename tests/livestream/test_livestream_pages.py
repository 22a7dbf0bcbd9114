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
