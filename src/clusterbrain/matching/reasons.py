"""The allocation engine's reason codes (`engines.allocation.model.Reason`) worded for people,
in the reader's language: why units of an order were left unplaced (which constraint binds),
and why a firm cannot take an order."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from clusterbrain.engines.allocation.model import Reason
from clusterbrain.registry.models import Certification

# Not an engine code: an eligible firm whose calendar has no free unit in the order's window.
NO_FREE_CAPACITY = "no_free_capacity"
# Not an engine code either: the order's own firm.
OWN_FIRM = "own_firm"
DECLINED = "declined"


def unmet_reason(code: str, excluded: Mapping[str, int] | None = None) -> str:
    """Why units of an order are unplaced: the binding constraint."""
    texts = {
        Reason.INVALID_DATES: _(
            "The order's dates leave no whole week of production in the period planned "
            "(earliest start to due date, less the lead time)."
        ),
        Reason.NO_ELIGIBLE_SUPPLIER: _("No supplier in the cluster can take it."),
        Reason.CAPACITY_IN_WINDOW: _(
            "The capable suppliers together have too little capacity between the earliest "
            "start and the due date."
        ),
        Reason.UNSPLITTABLE: _(
            "The order may not be split, and no single supplier has the capacity in its "
            "window (together they would)."
        ),
        Reason.MAX_SHARE: _(
            "The largest share per supplier leaves too little: the suppliers may not take "
            "the whole quantity between them."
        ),
        Reason.MIN_LOT: _("The free capacity comes in pieces smaller than the minimum lot."),
        Reason.SUPPLIER_VOLUME: _("The suppliers are at their share of the period's volume."),
        Reason.CAPACITY_TAKEN: _("The capacity exists, but other orders of the period use it."),
        Reason.NOT_PLACED: _(
            "Capacity is free, but the solver stopped at its time limit: run the allocation "
            "again with more time."
        ),
    }
    text = str(texts.get(code, code))  # type: ignore[call-overload]
    if excluded:
        counts = excluded_counts(excluded)
        if counts:
            text += " " + _("Excluded: %(counts)s.") % {"counts": counts}
    return text


def excluded_counts(excluded: Mapping[str, int]) -> str:
    """How many firms each rule excluded: "3 without a price or capacity in this link; …"."""
    parts = []
    for code in (Reason.CATEGORY, Reason.CERTIFICATE, Reason.DATES, Reason.PRICE):
        n = int(excluded.get(code, 0))
        if not n:
            continue
        if code == Reason.CATEGORY:
            parts.append(
                ngettext(
                    "%(n)d without a price or capacity in this link",
                    "%(n)d without a price or capacity in this link",
                    n,
                )
                % {"n": n}
            )
        elif code == Reason.CERTIFICATE:
            parts.append(
                ngettext(
                    "%(n)d not meeting the order's certificates, tier or location, or "
                    "having declined it",
                    "%(n)d not meeting the order's certificates, tier or location, or "
                    "having declined it",
                    n,
                )
                % {"n": n}
            )
        elif code == Reason.DATES:
            parts.append(
                ngettext(
                    "%(n)d unable to deliver by the due date",
                    "%(n)d unable to deliver by the due date",
                    n,
                )
                % {"n": n}
            )
        else:
            parts.append(
                ngettext(
                    "%(n)d priced too far above the target",
                    "%(n)d priced too far above the target",
                    n,
                )
                % {"n": n}
            )
    from clusterbrain.web.templatetags.cb import join_in_language

    return join_in_language(parts, "clauses")


def certificate_label(kind: str) -> str:
    return str(dict(Certification.Kind.choices).get(kind, kind))


def exclusion_reason(
    code: str,
    *,
    missing: Iterable[str] = (),
    lead_weeks: int = 0,
    price_over: float | None = None,
    limit: float = 0.0,
) -> str:
    """Why one firm cannot take an order (candidate search)."""
    if code == Reason.CATEGORY:
        return _("no price or no capacity in this link")
    if code == Reason.CERTIFICATE:
        from clusterbrain.web.templatetags.cb import join_in_language

        labels = [_certificate_requirement(m) for m in missing]
        return _("lacks %(what)s") % {"what": join_in_language(labels)}
    if code == Reason.DATES:
        return ngettext(
            "with a lead time of %(weeks)d week it cannot deliver by the due date",
            "with a lead time of %(weeks)d weeks it cannot deliver by the due date",
            lead_weeks,
        ) % {"weeks": lead_weeks}
    if code == Reason.PRICE:
        return _("its price is %(over)s above the target (at most %(limit)s is considered)") % {
            "over": _percent(price_over or 0.0),
            "limit": _percent(limit),
        }
    if code == NO_FREE_CAPACITY:
        return _("no free capacity between the earliest start and the due date")
    if code == OWN_FIRM:
        return _("the ordering firm itself")
    if code == DECLINED:
        return _("declined this order")
    return code


def _certificate_requirement(mark: str) -> str:
    if mark == "in_cluster":
        return _("a site in the cluster (the order takes in-cluster suppliers only)")
    if mark.startswith("tier:premium"):
        return _("the premium quality tier in this link")
    return certificate_label(mark)


def _percent(share: float) -> str:
    from clusterbrain.web.templatetags.cb import pct

    return pct(share, 0)
