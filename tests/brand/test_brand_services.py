"""Licences with a real database: grant, the lifecycle, verification outcomes, and every refusal
naming its field with nothing changed."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

import factories
from clusterbrain.brand import selectors, services
from clusterbrain.brand.codes import ALPHABET
from clusterbrain.brand.models import BrandLicence, LicenceEvent
from clusterbrain.errors import Forbidden, InvalidInput, NotFound

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def grant(world, brand, **overrides):
    args = {
        "licensee": world.own,
        "products": ["Handbags"],
        "countries": ["CN"],
        "valid_from": TODAY,
        "valid_until": TODAY + datetime.timedelta(days=365),
    }
    args.update(overrides)
    return services.grant_licence(world.users.association, brand, **args)


def refused(fn, *args, **kwargs) -> InvalidInput:
    before = (BrandLicence.objects.count(), LicenceEvent.objects.count())
    with pytest.raises(InvalidInput) as caught:
        fn(*args, **kwargs)
    assert (BrandLicence.objects.count(), LicenceEvent.objects.count()) == before
    return caught.value


def locs(exc):
    return sorted(e.loc for e in exc.errors)


def test_grant_gives_a_checkable_code_and_a_history(licence):
    assert licence.code.startswith(f"SL-{licence.valid_from.year}-")
    assert selectors.verify(licence.code).outcome == "valid"
    assert [e.action for e in licence.events.all()] == ["granted"]


def test_a_country_the_brand_is_not_registered_in_is_named(world, brand):
    exc = refused(grant, world, brand, countries=["CN", "FR"])
    assert locs(exc) == [("countries", 1)]
    assert "FR" in exc.errors[0].msg and "CN, DE, IT, US" in exc.errors[0].msg


def test_bad_country_codes_and_empty_lists(world, brand):
    exc = refused(grant, world, brand, countries=["Germany"], products=[" "])
    assert locs(exc) == [("countries", 0), ("products",)]


def test_licensee_must_be_a_member_of_the_same_cluster(world, brand):
    exc = refused(grant, world, brand, licensee=world.other)  # not a member
    assert locs(exc) == [("licensee",)] and world.other.name in exc.errors[0].msg
    outsider = world.outsider
    outsider.is_member = True
    outsider.save()
    assert locs(refused(grant, world, brand, licensee=outsider)) == [("licensee",)]


def test_only_a_regional_brand_is_licensed(world):
    own_brand = factories.brand(world.a, world.leading, name_en="Leadmark")
    assert ("brand",) in locs(refused(grant, world, own_brand))


def test_period_must_be_sane(world, brand):
    exc = refused(grant, world, brand, valid_until=TODAY - datetime.timedelta(days=1))
    assert locs(exc) == [("valid_until",)]
    exc = refused(grant, world, brand, valid_until=TODAY + datetime.timedelta(days=4000))
    assert locs(exc) == [("valid_until",)]


@pytest.mark.parametrize("who", ["enterprise", "office", "office_b", "bank"])
def test_only_the_association_grants(world, brand, who):
    with pytest.raises(Forbidden):
        services.grant_licence(
            getattr(world.users, who),
            brand,
            licensee=world.own,
            products=["Handbags"],
            countries=["CN"],
            valid_from=TODAY,
            valid_until=TODAY,
        )
    assert not BrandLicence.objects.exists()


def test_lifecycle_suspend_reinstate_renew_revoke(world, licence):
    assoc = world.users.association
    assert locs(refused(services.suspend_licence, assoc, licence, reason=" ")) == [("reason",)]
    services.suspend_licence(assoc, licence, reason="spot check failed")
    v = selectors.verify(licence.code)
    assert v.outcome == "suspended" and v.licence is not None
    assert locs(refused(services.suspend_licence, assoc, licence, reason="again")) == [("status",)]
    services.reinstate_licence(assoc, licence)
    assert selectors.verify(licence.code).outcome == "valid"
    exc = refused(services.renew_licence, assoc, licence, valid_until=licence.valid_until)
    assert locs(exc) == [("valid_until",)]
    new_end = licence.valid_until + datetime.timedelta(days=365)
    renewed = services.renew_licence(assoc, licence, valid_until=new_end)
    assert renewed.valid_until == new_end and renewed.code == licence.code
    services.revoke_licence(assoc, licence, reason="left the association")
    assert selectors.verify(licence.code).outcome == "revoked"
    exc = refused(
        services.renew_licence, assoc, licence, valid_until=new_end + datetime.timedelta(days=1)
    )
    assert locs(exc) == [("status",)]
    actions = [e.action for e in licence.events.all()]
    assert actions == ["granted", "suspended", "reinstated", "renewed", "revoked"]


def test_a_firm_cannot_suspend_its_own_licence(world, licence):
    with pytest.raises(Forbidden):
        services.suspend_licence(world.users.enterprise, licence, reason="x")
    licence.refresh_from_db()
    assert licence.status == "active"


def test_verification_outcomes(world, brand, licence):
    expired = grant(
        world,
        brand,
        licensee=world.sharing,
        valid_from=TODAY - datetime.timedelta(days=400),
        valid_until=TODAY - datetime.timedelta(days=1),
    )
    future = grant(
        world, brand, licensee=world.sharing, valid_from=TODAY + datetime.timedelta(days=5)
    )
    assert selectors.verify(expired.code).outcome == "expired"
    assert selectors.verify(future.code).outcome == "not_yet_valid"
    assert selectors.verify("nonsense").outcome == "malformed"
    # one symbol changed: the check symbol tells it from a code never issued
    i = 9
    wrong = ALPHABET[(ALPHABET.index(licence.code[i]) + 1) % 32]
    typo = licence.code[:i] + wrong + licence.code[i + 1 :]
    assert selectors.verify(typo).outcome == "mistyped"
    # a well-formed code with a right check symbol that nobody was given
    from clusterbrain.brand.codes import check_symbol

    body = "ABCDEFGHJK"
    unknown = f"SL-2026-{body[:5]}-{body[5:]}-{check_symbol('2026' + body)}"
    assert selectors.verify(unknown).outcome == "unknown"
    assert selectors.verify(licence.code.lower().replace("-", "")).outcome == "valid"


def test_who_reads_what(world, brand, licence):
    other_firm_user = factories.user("enterprise", enterprise=world.sharing, username="sh")
    with pytest.raises(NotFound):
        selectors.get_licence(other_firm_user, licence.pk)
    with pytest.raises(NotFound):
        selectors.firm_licences(other_firm_user, world.own)
    with pytest.raises(NotFound):
        selectors.get_licence(world.users.office_b, licence.pk)
    assert selectors.get_licence(world.users.enterprise, licence.pk) == licence
    assert selectors.get_licence(world.users.office, licence.pk) == licence
    with pytest.raises(Forbidden):
        selectors.register(world.users.enterprise, world.a)
    with pytest.raises(Forbidden):
        selectors.register(world.users.office_b, world.a)
    assert list(selectors.register(world.users.association, world.a)) == [licence]
    assert list(selectors.licensed_members(brand)) == [licence]
    services.suspend_licence(world.users.association, licence, reason="x")
    assert list(selectors.licensed_members(brand)) == []


def test_one_licence_per_firm_and_brand_at_a_time(world, brand, licence):
    """A second licence over days the first covers is refused, naming the licence to renew;
    after it ends, or once it is revoked, a new one may be granted."""
    exc = refused(grant, world, brand, valid_from=TODAY + datetime.timedelta(days=100))
    assert exc.errors[0].loc == ("licensee",) and licence.code in exc.detail
    start = licence.valid_until + datetime.timedelta(days=1)
    after = grant(world, brand, valid_from=start, valid_until=start + datetime.timedelta(days=365))
    assert after.licensee == licence.licensee
    services.revoke_licence(world.users.association, licence, reason="Breach of terms")
    again = grant(world, brand, valid_from=TODAY)
    assert selectors.verify(again.code).outcome == "valid"


def test_over_long_texts_are_refused_not_cut(world, brand):
    exc = refused(grant, world, brand, terms="x" * 5001)
    assert exc.errors[0].loc == ("terms",)
    exc = refused(grant, world, brand, products=["Handbags", "y" * 101])
    assert exc.errors[0].loc == ("products", 1)
    licence = grant(world, brand, terms="z" * 5000)
    assert len(BrandLicence.objects.get(pk=licence.pk).terms) == 5000
    with pytest.raises(InvalidInput) as caught:
        services.suspend_licence(world.users.association, licence, reason="r" * 301)
    assert caught.value.errors[0].loc == ("reason",)
    assert BrandLicence.objects.get(pk=licence.pk).status == "active"
