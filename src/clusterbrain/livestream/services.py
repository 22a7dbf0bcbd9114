"""Every write at the livestream base: streamers, scheduled sessions and their results. Only
the base's operator (the association of the cluster) and admins write; each write is one
transaction, and refused input names each field and changes nothing (decision 0016)."""

from __future__ import annotations

import datetime
import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clusterbrain.errors import FieldError, Forbidden, InvalidInput
from clusterbrain.livestream import permissions
from clusterbrain.livestream.models import (
    LivestreamSession,
    Platform,
    SessionItem,
    SessionStatus,
    Streamer,
)
from clusterbrain.market.models import Product
from clusterbrain.market.services import text_problem
from clusterbrain.registry.models import Cluster, Enterprise
from clusterbrain.registry.selectors import as_id

RESULT_FIELDS = ("viewers", "peak_viewers", "items_shown", "orders", "gmv", "returns_value")
FEE_FIELDS = ("slot_fee", "commission")
ITEM_FIELDS = ("units", "gmv", "returns_value")


def _require_manage(user: Any, cluster: Cluster) -> None:
    if not permissions.can_manage(user, cluster):
        raise Forbidden(_("Only the livestream base's operator (the association) may do this."))


# The database's integer columns end at 2**31 - 1 (PostgreSQL's integer); amounts in yuan stop
# far below where sums of them lose their cents. Beyond these a value is a typing mistake, and
# letting it through overflowed the column (or a sum) at the save: a 500, not the field named.
MAX_WHOLE = 2_147_483_647
MAX_AMOUNT = 1e15
MAX_MINUTES = 7 * 24 * 60
FIRST_YEAR, LAST_YEAR = 2000, 2100
WHOLE_FIELDS = ("viewers", "peak_viewers", "items_shown", "orders", "followers")


def _number(
    errors: list[FieldError], loc: tuple[str | int, ...], value: Any, limit: float = MAX_AMOUNT
) -> float | None:
    """A non-negative finite number up to `limit`, or None when absent; otherwise an error at
    `loc`."""
    if value is None or value == "":
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        errors.append(FieldError(loc, _("Enter a number.")))
        return None
    if not math.isfinite(number):
        errors.append(FieldError(loc, _("Enter a finite number.")))
        return None
    if number < 0:
        errors.append(FieldError(loc, _("Enter a value of at least 0.")))
        return None
    if number > limit:
        errors.append(
            FieldError(loc, _("Enter a value of at most %(limit)s.") % {"limit": f"{limit:,.0f}"})
        )
        return None
    return number


def _raise(errors: list[FieldError]) -> None:
    if errors:
        raise InvalidInput(
            errors[0].msg if len(errors) == 1 else _("Check the fields below."), errors
        )


@transaction.atomic
def save_streamer(
    user: Any,
    cluster: Cluster,
    *,
    name: str,
    platform: str,
    categories: Sequence[str] = (),
    followers: int = 0,
    commission_rate: float = 0.0,
    streamer: Streamer | None = None,
) -> Streamer:
    """Add a streamer the base works with, or change one."""
    _require_manage(user, cluster)
    errors: list[FieldError] = []
    name = (name or "").strip()
    if not name:
        errors.append(FieldError(("name",), _("This field is required.")))
    elif problem := text_problem(name, 120):
        errors.append(FieldError(("name",), problem))
    if platform not in Platform.values:
        errors.append(
            FieldError(
                ("platform",),
                _("Choose one of: %(limit)s.") % {"limit": ", ".join(Platform.values)},
            )
        )
    fol = _number(errors, ("followers",), followers, MAX_WHOLE)
    rate = _number(errors, ("commission_rate",), commission_rate)
    if rate is not None and rate > 1:
        errors.append(FieldError(("commission_rate",), _("Enter a rate between 0 and 1.")))
    cats = [c.strip() for c in categories if c and c.strip()]
    for i, c in enumerate(categories):
        if c and (problem := text_problem(c.strip(), 80)):
            errors.append(FieldError(("categories", i), problem))
    dup = Streamer.objects.filter(cluster=cluster, name=name, platform=platform)
    if streamer is not None:
        dup = dup.exclude(pk=streamer.pk)
    named = any(e.loc == ("name",) for e in errors)  # a NUL reaching the query is a 500 on PG
    if name and not named and dup.exists():
        errors.append(FieldError(("name",), _("This streamer is already on that platform here.")))
    _raise(errors)
    target = streamer or Streamer(cluster=cluster)
    target.name, target.platform, target.categories = name, platform, cats
    target.followers = int(fol or 0)
    target.commission_rate = rate or 0.0
    target.save()
    return target


def _year_message() -> str:
    return _("Choose a date between the years %(first)d and %(last)d.") % {
        "first": FIRST_YEAR,
        "last": LAST_YEAR,
    }


def _aware(value: datetime.datetime) -> datetime.datetime:
    return timezone.make_aware(value) if timezone.is_naive(value) else value


@transaction.atomic
def schedule_session(
    user: Any,
    streamer: Streamer,
    *,
    start: datetime.datetime,
    duration_minutes: int | None = None,
    end: datetime.datetime | None = None,
    firms: Iterable[Enterprise] = (),
    title: str = "",
    slot_fee: float = 0.0,
    session: LivestreamSession | None = None,
) -> LivestreamSession:
    """Put a session on the base's schedule (or move one). The streamer may not be booked twice
    at once, and every featured firm must be of the base's cluster."""
    cluster = streamer.cluster
    _require_manage(user, cluster)
    errors: list[FieldError] = []
    start = _aware(start)
    minutes: int | None = None
    if not FIRST_YEAR <= start.year <= LAST_YEAR:
        errors.append(FieldError(("start",), _year_message()))
        _raise(errors)
    if end is not None:
        end = _aware(end)
        if end <= start:
            errors.append(FieldError(("end",), _("The session must end after it starts.")))
        elif end - start > datetime.timedelta(minutes=MAX_MINUTES):
            errors.append(FieldError(("end",), _("A session lasts at most %(n)d days.") % {"n": 7}))
        else:
            minutes = max(1, round((end - start).total_seconds() / 60))
    elif duration_minutes is None:
        errors.append(FieldError(("duration_minutes",), _("This field is required.")))
    else:
        d = _number(errors, ("duration_minutes",), duration_minutes, MAX_MINUTES)
        if d is not None and d < 1:
            errors.append(
                FieldError(("duration_minutes",), _("The session must end after it starts."))
            )
        elif d is not None:
            minutes = int(round(d))
    fee = _number(errors, ("slot_fee",), slot_fee)
    if problem := text_problem((title or "").strip(), 200):
        errors.append(FieldError(("title",), problem))
    firm_list = list(firms)
    for i, firm in enumerate(firm_list):
        if firm.cluster_id != cluster.pk:
            errors.append(FieldError(("firms", i), _("This firm is not of the base's cluster.")))
    if minutes is not None:
        finish = start + datetime.timedelta(minutes=minutes)
        others = LivestreamSession.objects.filter(streamer=streamer).exclude(
            status=SessionStatus.CANCELLED
        )
        if session is not None:
            others = others.exclude(pk=session.pk)
        for other in others.filter(start__lt=finish, start__gte=start - datetime.timedelta(days=2)):
            if other.end > start:
                errors.append(
                    FieldError(
                        ("start",),
                        _("%(name)s already has a session from %(start)s to %(end)s.")
                        % {
                            "name": streamer.name,
                            "start": timezone.localtime(other.start).strftime("%Y-%m-%d %H:%M"),
                            "end": timezone.localtime(other.end).strftime("%H:%M"),
                        },
                    )
                )
                break
    _raise(errors)
    assert minutes is not None
    target = session or LivestreamSession(cluster=cluster)
    target.streamer = streamer
    target.start = start
    target.duration_minutes = minutes
    target.title = (title or "").strip()
    target.slot_fee = fee or 0.0
    target.save()
    target.firms.set(firm_list)
    return target


@transaction.atomic
def cancel_session(user: Any, session: LivestreamSession) -> LivestreamSession:
    _require_manage(user, session.cluster)
    if session.status == SessionStatus.DONE:
        raise InvalidInput.field("status", _("A session with results cannot be cancelled."))
    session.status = SessionStatus.CANCELLED
    session.save(update_fields=["status"])
    return session


@transaction.atomic
def record_results(
    user: Any,
    session: LivestreamSession,
    *,
    results: Mapping[str, Any],
    items: Sequence[Mapping[str, Any]] = (),
    commission: float | None = None,
) -> LivestreamSession:
    """Record a session's results and what each featured firm sold; the session is then done.

    The commission defaults to the streamer's rate × (GMV − returns). Items replace the earlier
    ones; a firm with items that was not featured is added to the session's firms."""
    cluster = session.cluster
    _require_manage(user, cluster)
    if session.status == SessionStatus.CANCELLED:
        raise InvalidInput.field("status", _("The session was cancelled."))
    if session.start > timezone.now():
        raise InvalidInput.field("status", _("The session has not started yet."))
    errors: list[FieldError] = []
    values: dict[str, float | None] = {
        f: _number(errors, (f,), results.get(f), MAX_WHOLE if f in WHOLE_FIELDS else MAX_AMOUNT)
        for f in RESULT_FIELDS
    }
    if "slot_fee" in results:
        values["slot_fee"] = _number(errors, ("slot_fee",), results.get("slot_fee"))
    for f in ("viewers", "peak_viewers", "items_shown", "orders"):
        v = values[f]
        if v is not None and v != int(v):
            errors.append(FieldError((f,), _("Enter a whole number.")))
    gmv, returns = values["gmv"], values["returns_value"]
    if gmv is not None and returns is not None and returns > gmv:
        errors.append(FieldError(("returns_value",), _("Returns cannot exceed the GMV.")))
    if returns is not None and gmv is None:
        errors.append(FieldError(("gmv",), _("Give the GMV with the returns.")))
    v, p = values["viewers"], values["peak_viewers"]
    if v is not None and p is not None and p > v:
        errors.append(FieldError(("peak_viewers",), _("Peak viewers cannot exceed viewers.")))
    comm = _number(errors, ("commission",), commission)
    rows: list[SessionItem] = []
    wanted = [pk for item in items if (pk := as_id(item.get("enterprise"))) is not None]
    firms = {f.pk: f for f in Enterprise.objects.filter(cluster=cluster, pk__in=wanted)}
    for i, item in enumerate(items):
        firm_pk = as_id(item.get("enterprise"))
        firm = firms.get(firm_pk) if firm_pk is not None else None
        if firm is None:
            errors.append(
                FieldError(("items", i, "enterprise"), _("Choose a firm of the base's cluster."))
            )
        product = None
        if item.get("product") not in (None, ""):
            product_pk = as_id(item.get("product"))
            product = Product.objects.filter(pk=product_pk).first() if product_pk else None
            if product is None or (firm is not None and product.enterprise_id != firm.pk):
                errors.append(
                    FieldError(("items", i, "product"), _("Choose one of the firm's products."))
                )
                product = None
        category = str(item.get("category") or (product.category if product else "")).strip()
        if not category:
            errors.append(FieldError(("items", i, "category"), _("Give a product or a category.")))
        elif problem := text_problem(category, 80):
            errors.append(FieldError(("items", i, "category"), problem))
        nums = {f: _number(errors, ("items", i, f), item.get(f)) for f in ITEM_FIELDS}
        if (nums["returns_value"] or 0) > (nums["gmv"] or 0):
            errors.append(
                FieldError(("items", i, "returns_value"), _("Returns cannot exceed the GMV."))
            )
        if firm is not None:
            rows.append(
                SessionItem(
                    session=session,
                    enterprise=firm,
                    product=product,
                    category=category,
                    units=nums["units"] or 0.0,
                    gmv=nums["gmv"] or 0.0,
                    returns_value=nums["returns_value"] or 0.0,
                )
            )
    if rows and gmv is not None:
        item_gmv = sum(r.gmv for r in rows)
        if item_gmv > gmv * 1.0001 + 0.01:
            errors.append(
                FieldError(("items",), _("The items' GMV is more than the session's GMV."))
            )
    _raise(errors)
    for f in RESULT_FIELDS:
        val = values[f]
        setattr(
            session,
            f,
            None if val is None else (int(val) if f not in ("gmv", "returns_value") else val),
        )
    if values.get("slot_fee") is not None:
        session.slot_fee = values["slot_fee"] or 0.0
    if comm is None:
        comm = session.streamer.commission_rate * max(0.0, (gmv or 0.0) - (returns or 0.0))
    session.commission = comm
    session.status = SessionStatus.DONE
    session.save()
    SessionItem.objects.filter(session=session).delete()
    SessionItem.objects.bulk_create(rows)
    featured = {r.enterprise_id for r in rows}
    if featured:
        session.firms.add(*featured)
    return session
