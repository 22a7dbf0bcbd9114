"""Publishing, refreshing and withdrawing passports: who may, what the content holds (shares,
never quantities), and refusals that change nothing."""

from __future__ import annotations

import json

import pytest


def _lot(key):
    from clusterbrain.trace.models import Lot

    return Lot.objects.get(key=key)


def test_leather_passport_shows_shares_steps_certificates_and_footprint(leather, world):
    from clusterbrain.passport.models import Passport

    p = Passport.objects.get(slug="alpha-jacket")
    s = p.snapshot
    assert p.enterprise == world.leading and p.is_public
    assert s["product"]["lot"] == "JK2601" and s["product"]["unit"] == "H87"
    countries = {c["country"]: c["share_pct"] for c in s["origins"]["countries"]}
    assert set(countries) == {"BR", "CN"} and sum(countries.values()) == pytest.approx(100, abs=0.2)
    assert {o["region"] for o in s["origins"]["items"]} == {"Mato Grosso", "河北 Hebei"}
    assert all("farm" not in o for o in s["origins"]["items"])  # region level: no farm names
    shares = s["certificates"]["shares"]
    assert shares["deforestation_free"] == {"share_pct": 100.0, "unknown_pct": 0.0}
    assert shares["chrome_free"]["share_pct"] == 100.0
    assert shares["lwg_rated"]["share_pct"] == 100.0
    firms = [f["firm"]["name_en"] for f in s["certificates"]["firms"]]
    assert firms == ["Own Leather"]
    made = [(st["product"]["name_en"], (st["firm"] or {}).get("name_en")) for st in s["steps"]]
    assert made[0] == ("cattle", None)  # origins carry no firm
    assert ("chrome-free bovine crust leather", "Own Leather") in made
    # footprint per jacket: 2.2 m² of leather at 0.11 m³ water per m² (tanning)
    assert s["footprint"]["water_m3"] == pytest.approx(0.242)
    assert s["footprint"]["energy_kwh"] == pytest.approx(2.2 * 5.6 + 2.2, rel=1e-2)


def _numbers(value, key=""):
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _numbers(v, k)
    elif isinstance(value, list):
        for v in value:
            yield from _numbers(v, key)
    elif isinstance(value, int | float) and not isinstance(value, bool):
        yield key, value


def test_snapshot_holds_no_quantity_of_any_lot(leather, world):
    from clusterbrain.passport.models import Passport
    from clusterbrain.trace.models import Lot

    snap = Passport.objects.get(slug="alpha-jacket").snapshot
    numbers = list(_numbers(snap))
    allowed = {"share_pct", "unknown_pct", "unknown_country_pct", "water_m3", "energy_kwh"}
    allowed |= {"co2e_kg", "year", "grade"}
    assert numbers and {k for k, _v in numbers} <= allowed
    quantities = {
        q for lot in Lot.objects.all() for q in (lot.declared, lot.produced, lot.consumed) if q
    }
    assert not quantities & {v for k, v in numbers if not k.endswith("pct")}
    text = json.dumps(snap)
    for word in ("quantity", "amount", "produced", "consumed", "uscc", "price"):
        assert word not in text


def test_farm_level_names_farms_and_country_level_hides_regions(silk, world):
    from clusterbrain.passport import services
    from clusterbrain.passport.models import Passport

    scarf = Passport.objects.get(slug="alpha-scarf")
    items = scarf.snapshot["origins"]["items"]
    assert len(items) == 12 and all(i["farm"] for i in items)
    assert sum(i["share_pct"] for i in items) == pytest.approx(100, abs=0.5)
    assert scarf.serial and not scarf.lot_number
    quilt = Passport.objects.get(slug="alpha-quilt")
    again = services.publish(
        world.users.enterprise,
        quilt.lot,
        "桑蚕丝被",
        "Silk quilt",
        origins="country",
        show_firms=False,
        show_footprint=False,
    )
    assert again.pk == quilt.pk
    snap = again.snapshot
    assert snap["origins"]["items"] == [{"country": "CN", "share_pct": 100.0}]
    assert all(step["firm"] is None for step in snap["steps"])
    assert snap["footprint"] is None


def test_another_firm_and_other_roles_may_not_publish(leather, world):
    from clusterbrain.errors import Forbidden
    from clusterbrain.passport import services
    from clusterbrain.passport.models import Passport

    jackets = _lot(leather.lots["product"])  # owned by `leading`
    before = Passport.objects.count()
    for user in (
        world.users.enterprise,  # own: another firm
        world.users.office,
        world.users.association,
        world.users.bank,
    ):
        with pytest.raises(Forbidden):
            services.publish(user, jackets, "夹克")
    p = Passport.objects.get(slug="alpha-jacket")
    for user in (world.users.enterprise, world.users.office, world.users.bank):
        with pytest.raises(Forbidden):
            services.withdraw(user, p)
        with pytest.raises(Forbidden):
            services.refresh(user, p)
    assert Passport.objects.count() == before
    assert Passport.objects.get(slug="alpha-jacket").is_public


def test_bad_choices_are_named_and_change_nothing(leather, world):
    from clusterbrain.errors import InvalidInput
    from clusterbrain.passport import services
    from clusterbrain.passport.models import Passport

    leather_lot = _lot(leather.lots["eudr_ready"])  # owned by `own`
    with pytest.raises(InvalidInput) as caught:
        services.publish(
            world.users.enterprise, leather_lot, " ", origins="street", slug="Bad Slug!"
        )
    assert {e.loc[0] for e in caught.value.errors} == {"title_zh", "origins", "slug"}
    with pytest.raises(InvalidInput) as caught:
        services.publish(world.users.enterprise, leather_lot, "坯革", slug="alpha-jacket")
    assert caught.value.errors[0].loc == ("slug",)
    assert not Passport.objects.filter(lot=leather_lot).exists()
    p = services.publish(world.users.enterprise, leather_lot, "坯革", "Crust leather")
    assert p.enterprise == world.own and p.lot_number == "XJ-CF-01"


def test_withdraw_then_publish_again(leather, world):
    import factories
    from clusterbrain.accounts.models import Role
    from clusterbrain.passport import services
    from clusterbrain.passport.models import Passport

    lead_user = factories.user(Role.ENTERPRISE, enterprise=world.leading, username="lead-user")
    p = Passport.objects.get(slug="alpha-jacket")
    services.withdraw(lead_user, p)
    p.refresh_from_db()
    assert p.status == Passport.Status.WITHDRAWN and p.withdrawn_at is not None
    services.publish(lead_user, p.lot, "夹克", "Jacket")
    p.refresh_from_db()
    assert p.is_public and p.withdrawn_at is None and p.title_en == "Jacket"
    refreshed = services.refresh(lead_user, p)
    assert refreshed.refreshed_at >= p.refreshed_at


def test_a_lot_without_gtin_cannot_have_a_passport(world):
    from clusterbrain.errors import InvalidInput
    from clusterbrain.passport import services
    from clusterbrain.trace import services as trace_services
    from clusterbrain.trace.models import Lot

    trace_services.add_location(None, world.own, "urn:epc:id:sgln:6901234.00009.0", "Yard")
    event = {
        "type": "ObjectEvent",
        "eventTime": "2026-05-01T08:00:00+08:00",
        "eventTimeZoneOffset": "+08:00",
        "action": "ADD",
        "bizStep": "commissioning",
        "epcList": ["urn:epc:id:sscc:6901234.0000000001"],
        "bizLocation": {"id": "urn:epc:id:sgln:6901234.00009.0"},
    }
    assert trace_services.capture_events(None, [event])[0].success
    pallet = Lot.objects.get(key="urn:epc:id:sscc:6901234.0000000001")
    with pytest.raises(InvalidInput) as caught:
        services.publish(world.users.enterprise, pallet, "托盘")
    assert caught.value.errors[0].loc == ("lot",)


def test_a_publish_racing_another_for_the_same_address_is_refused_not_a_500(
    leather, world, monkeypatch
):
    """Two requests pass the checks at once and the second save meets the unique short address:
    it is refused by field, like the check would have, and nothing of it is saved."""
    from clusterbrain.errors import InvalidInput
    from clusterbrain.passport import services
    from clusterbrain.passport.models import Passport

    leather_lot = _lot(leather.lots["eudr_ready"])
    # The address drawn for it was free when drawn, and taken by the time it is saved.
    monkeypatch.setattr(services, "_new_slug", lambda: "alpha-jacket")
    with pytest.raises(InvalidInput) as caught:
        services.publish(world.users.enterprise, leather_lot, "坯革")
    assert caught.value.errors[0].loc == ("lot",)
    assert not Passport.objects.filter(lot=leather_lot).exists()
    assert Passport.objects.get(slug="alpha-jacket").lot_number == "JK2601"
