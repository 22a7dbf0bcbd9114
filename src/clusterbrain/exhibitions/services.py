"""Every write on exhibition groups: the exhibition and its booth plan, sign-ups, booth
allocation (automatic and by hand) and the firms' leads. Each write is one transaction; refused
input names each field (or row) and changes nothing (decision 0022)."""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from clusterbrain.errors import FieldError, Forbidden, InvalidInput, NotFound
from clusterbrain.exhibitions import allocation, permissions
from clusterbrain.exhibitions.models import (
    Booth,
    BoothAssignment,
    Exhibition,
    FollowUp,
    Interest,
    Lead,
    Scope,
    SignUp,
)
from clusterbrain.registry.models import Cluster, Enterprise
from clusterbrain.textinput import bounded, within

MAX_BOOTHS_PER_FIRM = 20
_COUNTRY = re.compile(r"^[A-Z]{2}$")


def _require_manage(user: Any, cluster: Cluster) -> None:
    if not permissions.can_manage(user, cluster):
        raise Forbidden(_("Only the association of the cluster organises its exhibition groups."))


def _raise(errors: list[FieldError]) -> None:
    if errors:
        raise InvalidInput(
            errors[0].msg if len(errors) == 1 else _("Check the fields below."), errors
        )


def _text(errors: list[FieldError], loc: tuple[str | int, ...], value: Any, limit: int) -> str:
    text = bounded(errors, loc, value, limit)
    if not text:
        errors.append(FieldError(loc, _("This field is required.")))
    return text


def _decimal(
    errors: list[FieldError], loc: tuple[str | int, ...], value: Any, *, required: bool = True
) -> Decimal | None:
    if value is None or str(value).strip() == "":
        if required:
            errors.append(FieldError(loc, _("This field is required.")))
        return None
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        errors.append(FieldError(loc, _("Enter a number.")))
        return None
    if not number.is_finite():
        errors.append(FieldError(loc, _("Enter a finite number.")))
        return None
    if number < 0:
        errors.append(FieldError(loc, _("Enter a value of at least 0.")))
        return None
    if number >= Decimal("1e9"):
        errors.append(FieldError(loc, _("This number is too large.")))
        return None
    if number != number.quantize(Decimal("0.01")):
        # A fee of 0.004 was stored as a free booth: say so rather than round it away.
        errors.append(FieldError(loc, _("Enter at most two decimals.")))
        return None
    return number.quantize(Decimal("0.01"))


def _country(errors: list[FieldError], loc: tuple[str | int, ...], value: Any) -> str:
    code = str(value or "").strip().upper()
    if not _COUNTRY.match(code):
        errors.append(
            FieldError(loc, _("Enter an ISO 3166 alpha-2 country code (like CN, IT, US)."))
        )
    return code


MAX_PRODUCTS = 30


def _products(errors: list[FieldError], value: Any) -> list[str]:
    """A list, or text separated by commas or lines; each product at most 100 characters."""
    items = value if isinstance(value, list | tuple) else re.split(r"[,，\n]", str(value or ""))
    out: list[str] = []
    for i, item in enumerate(items):
        text = bounded(errors, ("products", i), item, 100)
        if text and text not in out:
            out.append(text)
    if len(out) > MAX_PRODUCTS:
        errors.append(FieldError(("products",), _("At most %(n)d products.") % {"n": MAX_PRODUCTS}))
    return out


@transaction.atomic
def create_exhibition(
    user: Any,
    cluster: Cluster,
    *,
    name_zh: str,
    name_en: str = "",
    venue: str,
    city_zh: str,
    city_en: str = "",
    country: str,
    scope: str,
    starts_on: datetime.date | None,
    ends_on: datetime.date | None,
    signup_deadline: datetime.date | None,
    booth_fee: Any,
    description_zh: str = "",
    description_en: str = "",
) -> Exhibition:
    _require_manage(user, cluster)
    errors: list[FieldError] = []
    name = _text(errors, ("name_zh",), name_zh, 200)
    place = _text(errors, ("venue",), venue, 200)
    city = _text(errors, ("city_zh",), city_zh, 100)
    name_en_text = bounded(errors, "name_en", name_en, 200)
    city_en_text = bounded(errors, "city_en", city_en, 100)
    code = _country(errors, ("country",), country)
    if scope not in Scope.values:
        errors.append(
            FieldError(("scope",), _("Choose one of: %(limit)s.") % {"limit": ", ".join(Scope)})
        )
    elif _COUNTRY.match(code) and (scope == Scope.DOMESTIC) != (code == "CN"):
        errors.append(
            FieldError(
                ("scope",),
                _("A fair in %(country)s is not %(scope)s.")
                % {"country": code, "scope": Scope(scope).label},
            )
        )
    for loc, day in (
        ("starts_on", starts_on),
        ("ends_on", ends_on),
        ("signup_deadline", signup_deadline),
    ):
        if day is None:
            errors.append(FieldError((loc,), _("Enter a date as YYYY-MM-DD.")))
    if starts_on and ends_on and ends_on < starts_on:
        errors.append(FieldError(("ends_on",), _("The fair must end on or after its first day.")))
    if starts_on and signup_deadline and signup_deadline > starts_on:
        errors.append(
            FieldError(("signup_deadline",), _("Sign-up must close before the fair opens."))
        )
    fee = _decimal(errors, ("booth_fee",), booth_fee)
    _raise(errors)
    assert starts_on and ends_on and signup_deadline and fee is not None
    return Exhibition.objects.create(
        cluster=cluster,
        name_zh=name,
        name_en=name_en_text,
        venue=place,
        city_zh=city,
        city_en=city_en_text,
        country=code,
        scope=scope,
        starts_on=starts_on,
        ends_on=ends_on,
        signup_deadline=signup_deadline,
        booth_fee=fee,
        description_zh=(description_zh or "").strip(),
        description_en=(description_en or "").strip(),
    )


def _truthy(value: Any) -> bool:
    return str(value).strip().lower() in ("1", "true", "yes", "y", "on", "x", "是", "corner")


@transaction.atomic
def add_booths(user: Any, exhibition: Exhibition, rows: Sequence[Mapping[str, Any]]) -> list[Booth]:
    """Add rows to the booth plan; a code used twice (in the rows or already) is named by row."""
    _require_manage(user, exhibition.cluster)
    errors: list[FieldError] = []
    taken = set(exhibition.booths.values_list("code", flat=True))
    new: list[Booth] = []
    if not rows:
        errors.append(FieldError(("booths",), _("Give at least one booth.")))
    for i, row in enumerate(rows):
        code = bounded(errors, ("booths", i, "code"), row.get("code"), 20).upper()
        if not code:
            errors.append(FieldError(("booths", i, "code"), _("This field is required.")))
        elif code in taken:
            errors.append(
                FieldError(
                    ("booths", i, "code"),
                    _("Booth %(code)s is already in the plan.") % {"code": code},
                )
            )
        taken.add(code)
        area = _decimal(errors, ("booths", i, "area_m2"), row.get("area_m2"))
        if area is not None and area == 0:
            errors.append(FieldError(("booths", i, "area_m2"), _("A booth has an area.")))
        new.append(
            Booth(
                exhibition=exhibition,
                code=code,
                area_m2=area or Decimal(0),
                zone=bounded(errors, ("booths", i, "zone"), row.get("zone"), 40),
                corner=_truthy(row.get("corner", False)),
            )
        )
    _raise(errors)
    return Booth.objects.bulk_create(new)


def parse_booth_lines(text: str) -> list[dict[str, Any]]:
    """The page's booth plan box: one booth a line, `code, area, zone, corner`."""
    rows = []
    for line in (text or "").splitlines():
        if not line.strip():
            continue
        parts = [p.strip() for p in re.split(r"[,，\t;]", line)]
        parts += [""] * (4 - len(parts))
        rows.append({"code": parts[0], "area_m2": parts[1], "zone": parts[2], "corner": parts[3]})
    return rows


def _may_sign_up_for(user: Any, enterprise: Enterprise) -> bool:
    return permissions.firm_of(user) == enterprise.pk or permissions.can_manage(
        user, enterprise.cluster
    )


@transaction.atomic
def sign_up(
    user: Any,
    exhibition: Exhibition,
    *,
    enterprise: Enterprise | None,
    booths_requested: Any = 1,
    area_requested: Any = None,
    products: Any = (),
    preferred_zone: str = "",
) -> SignUp:
    """A firm joins the exhibition group (itself, or the association for it) before the
    deadline."""
    errors: list[FieldError] = []
    if enterprise is None:
        raise InvalidInput.field("enterprise", _("No such enterprise."))
    if not _may_sign_up_for(user, enterprise):
        raise Forbidden(_("A firm signs itself up; the association may sign up its members."))
    today = timezone.localdate()
    if today > exhibition.signup_deadline:
        errors.append(
            FieldError(
                ("signup_deadline",),
                _("Sign-up closed on %(day)s.") % {"day": exhibition.signup_deadline.isoformat()},
            )
        )
    if enterprise.cluster_id != exhibition.cluster_id:
        errors.append(
            FieldError(("enterprise",), _("This firm is not of the exhibition group's cluster."))
        )
    elif SignUp.objects.filter(exhibition=exhibition, enterprise=enterprise).exists():
        errors.append(
            FieldError(
                ("enterprise",),
                _("%(firm)s has already signed up.") % {"firm": enterprise.name},
            )
        )
    try:
        count = int(str(booths_requested).strip())
    except (TypeError, ValueError):
        count = 0
        errors.append(FieldError(("booths_requested",), _("Enter a whole number.")))
    else:
        if not 1 <= count <= MAX_BOOTHS_PER_FIRM:
            errors.append(
                FieldError(
                    ("booths_requested",),
                    _("Ask for 1 to %(n)d booths.") % {"n": MAX_BOOTHS_PER_FIRM},
                )
            )
    area = _decimal(errors, ("area_requested",), area_requested, required=False)
    zone = bounded(errors, "preferred_zone", preferred_zone, 40)
    product_list = _products(errors, products)
    zones = set(exhibition.booths.values_list("zone", flat=True)) - {""}
    if zone and zones and zone not in zones:
        errors.append(
            FieldError(
                ("preferred_zone",),
                _("There is no zone %(zone)s; the zones are: %(zones)s.")
                % {"zone": zone, "zones": ", ".join(sorted(zones))},
            )
        )
    _raise(errors)
    try:
        with transaction.atomic():
            return SignUp.objects.create(
                exhibition=exhibition,
                enterprise=enterprise,
                booths_requested=count,
                area_requested=area,
                products=product_list,
                preferred_zone=zone,
                signed_up_at=timezone.now(),
            )
    except IntegrityError as exc:  # a second sign-up raced the first
        raise InvalidInput.field(
            "enterprise", _("%(firm)s has already signed up.") % {"firm": enterprise.name}
        ) from exc


@transaction.atomic
def withdraw(user: Any, signup: SignUp) -> None:
    """Leave the group before the fair opens; the firm's booths become free."""
    if not _may_sign_up_for(user, signup.enterprise):
        raise Forbidden(_("A firm signs itself up; the association may sign up its members."))
    if timezone.localdate() >= signup.exhibition.starts_on:
        raise InvalidInput.field("signup", _("The fair has opened; a sign-up stays."))
    if signup.leads.exists():
        raise InvalidInput.field("signup", _("This sign-up has leads; it stays."))
    signup.delete()


def _rank_key(s: SignUp) -> tuple[int, datetime.datetime, int]:
    return (0 if s.enterprise.is_member else 1, s.signed_up_at, s.pk)


def run_allocation(exhibition: Exhibition) -> allocation.Allocation:
    """The allocation itself, for `allocate_booths` and the demo (no permission check here)."""
    BoothAssignment.objects.filter(
        booth__exhibition=exhibition, method=BoothAssignment.Method.AUTO
    ).delete()
    signups = sorted(
        SignUp.objects.filter(exhibition=exhibition)
        .select_related("enterprise")
        .annotate(placed=Count("assignments")),
        key=_rank_key,
    )
    if not signups:
        raise InvalidInput.field("signups", _("Nobody has signed up yet."))
    free = list(exhibition.booths.filter(assignment__isnull=True))
    if not free and not any(s.placed for s in signups):  # type: ignore[attr-defined]
        raise InvalidInput.field("booths", _("The booth plan is empty."))
    requests = [
        allocation.BoothRequest(
            id=s.pk,
            booths=max(0, s.booths_requested - s.placed),  # type: ignore[attr-defined]
            area_m2=float(s.area_requested) if s.area_requested else None,
            zone=s.preferred_zone,
            rank=rank,
        )
        for rank, s in enumerate(signups)
    ]
    specs = [allocation.BoothSpec(b.pk, float(b.area_m2), b.zone, b.corner) for b in free]
    result = allocation.allocate(requests, specs)
    BoothAssignment.objects.bulk_create(
        BoothAssignment(booth_id=booth, signup_id=signup, method=BoothAssignment.Method.AUTO)
        for signup, booth in result.pairs
    )
    return result


@transaction.atomic
def allocate_booths(user: Any, exhibition: Exhibition) -> allocation.Allocation:
    """Give out the booths not placed by hand (earlier automatic placements are redone): members
    first, then by sign-up time; preferred zone, then size, then corners (module
    `exhibitions.allocation` has the rule)."""
    _require_manage(user, exhibition.cluster)
    exhibition = Exhibition.objects.select_for_update().get(pk=exhibition.pk)
    if timezone.localdate() > exhibition.ends_on:
        raise InvalidInput.field("exhibition", _("The fair is over; its booths stay as they are."))
    result = run_allocation(exhibition)
    exhibition.allocated_at = timezone.now()
    exhibition.save(update_fields=["allocated_at"])
    return result


@transaction.atomic
def assign_booth(
    user: Any, exhibition: Exhibition, *, booth_code: str, enterprise: Enterprise | None
) -> BoothAssignment:
    """Give one booth to a signed-up firm by hand (kept by later automatic runs)."""
    _require_manage(user, exhibition.cluster)
    # The same lock as an automatic run takes: the two never interleave their bookings.
    Exhibition.objects.select_for_update().filter(pk=exhibition.pk).first()
    errors: list[FieldError] = []
    code = str(booth_code or "").strip().upper()
    booth = (
        Booth.objects.select_for_update().filter(exhibition=exhibition, code=code).first()
        if code
        else None
    )
    if booth is None:
        errors.append(
            FieldError(
                ("booth",), _("There is no booth %(code)s in this plan.") % {"code": code or "—"}
            )
        )
    signup = (
        SignUp.objects.filter(exhibition=exhibition, enterprise=enterprise).first()
        if enterprise is not None
        else None
    )
    if signup is None:
        errors.append(
            FieldError(
                ("enterprise",),
                _("%(firm)s has not signed up for this exhibition.")
                % {"firm": enterprise.name if enterprise else "—"},
            )
        )
    if booth is not None:
        held = BoothAssignment.objects.filter(booth=booth).select_related("signup__enterprise")
        current = held.first()
        if current is not None:
            errors.append(
                FieldError(
                    ("booth",),
                    _("Booth %(code)s is already given to %(firm)s; free it first.")
                    % {"code": booth.code, "firm": current.signup.enterprise.name},
                )
            )
    _raise(errors)
    assert booth is not None and signup is not None
    try:
        with transaction.atomic():
            return BoothAssignment.objects.create(
                booth=booth, signup=signup, method=BoothAssignment.Method.MANUAL
            )
    except IntegrityError as exc:
        raise InvalidInput.field(
            "booth", _("Booth %(code)s was just given to another firm.") % {"code": booth.code}
        ) from exc


@transaction.atomic
def free_booth(user: Any, exhibition: Exhibition, *, booth_code: str) -> None:
    _require_manage(user, exhibition.cluster)
    code = str(booth_code or "").strip().upper()
    found = BoothAssignment.objects.filter(booth__exhibition=exhibition, booth__code=code)
    if not found.exists():
        raise InvalidInput.field(
            "booth", _("Booth %(code)s is not given to anyone.") % {"code": code or "—"}
        )
    found.delete()


LEAD_TEXT = {
    "contact_name": 120,
    "contact_phone": 60,
    "notes": 2000,
}


def _require_own(user: Any, signup: SignUp) -> None:
    """Leads are the exhibiting firm's own: anyone else is told there is nothing here."""
    if permissions.firm_of(user) != signup.enterprise_id:
        raise NotFound(_("No such sign-up."))


@transaction.atomic
def record_lead(user: Any, signup: SignUp, data: Mapping[str, Any]) -> Lead:
    """A buyer met at the booth, recorded by the exhibiting firm once the fair has opened."""
    _require_own(user, signup)
    errors: list[FieldError] = []
    if timezone.localdate() < signup.exhibition.starts_on:
        errors.append(
            FieldError(
                ("exhibition",),
                _("Leads are recorded from the fair's first day (%(day)s).")
                % {"day": signup.exhibition.starts_on.isoformat()},
            )
        )
    company = _text(errors, ("buyer_company",), data.get("buyer_company"), 200)
    country = _country(errors, ("country",), data.get("country"))
    email = bounded(errors, "contact_email", data.get("contact_email"), 254)
    texts = {k: bounded(errors, k, data.get(k), n) for k, n in LEAD_TEXT.items()}
    product_list = _products(errors, data.get("products") or ())
    if email and len(email) <= 254:
        try:
            validate_email(email)
        except ValidationError:
            errors.append(FieldError(("contact_email",), _("Enter a valid e-mail address.")))
    interest = str(data.get("interest") or Interest.MEDIUM)
    if interest not in Interest.values:
        errors.append(
            FieldError(
                ("interest",),
                _("Choose one of: %(limit)s.") % {"limit": ", ".join(Interest.values)},
            )
        )
    follow = str(data.get("follow_up") or FollowUp.NEW)
    if follow not in FollowUp.values:
        errors.append(
            FieldError(
                ("follow_up",),
                _("Choose one of: %(limit)s.") % {"limit": ", ".join(FollowUp.values)},
            )
        )
    _raise(errors)
    return Lead.objects.create(
        signup=signup,
        buyer_company=company,
        country=country,
        contact_email=email,
        interest=interest,
        follow_up=follow,
        products=product_list,
        recorded_by=user if getattr(user, "is_authenticated", False) else None,
        **texts,
    )


@transaction.atomic
def update_follow_up(user: Any, lead: Lead, *, follow_up: str, notes: str | None = None) -> Lead:
    _require_own(user, lead.signup)
    if follow_up not in FollowUp.values:
        raise InvalidInput.field(
            "follow_up", _("Choose one of: %(limit)s.") % {"limit": ", ".join(FollowUp.values)}
        )
    lead.follow_up = follow_up
    fields = ["follow_up"]
    if notes is not None:
        lead.notes = within("notes", notes, LEAD_TEXT["notes"])
        fields.append("notes")
    lead.save(update_fields=fields)
    return lead
