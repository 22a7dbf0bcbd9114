"""Every write to the registry: validation, permissions, transactions.

CONTRACT (shared by pages, API, CLI and the demo loader where it fits; all raise
errors.InvalidInput naming each field, errors.Forbidden or errors.NotFound, and change nothing
when they raise):

    create_enterprise(user, cluster, data: dict) -> Enterprise
    update_enterprise(user, enterprise, data: dict) -> Enterprise          partial update
    set_role(user, enterprise, *, link_code, product_category="", capacity_per_month, output_per_month=0) -> EnterpriseRole
    remove_role(user, enterprise, role_id) -> None
    add_facility(user, enterprise, data: dict) -> Facility
    add_certification(user, enterprise, data: dict, evidence=None) -> Certification
    verify_certification(user, certification) -> Certification             association of the cluster, admin
    remove_certification(user, enterprise, certification_id) -> None        deletes the evidence file too
    record_year(user, enterprise, year: int, data: dict) -> EnterpriseYear  keeps above_designated_size

Certificates count in public figures only once verified: a firm's own entry waits for association
staff of its cluster (or an admin); one entered by them is verified as it is written.

Validation collects every problem before raising, so a form or an API client can fix them all in
one round: the model's own field validators (`full_clean`: choices, ranges, lengths, the USCC
check character) plus the rules a model cannot see (the link must belong to the cluster's
template, duplicate USCC, evidence files, years not in the future). Checks run before anything is
written and every service is one transaction, so a refused call leaves the database as it was.
"""  # noqa: E501

from __future__ import annotations

import datetime
import math
import re
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import models, transaction
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from clusterbrain.accounts import permissions
from clusterbrain.chains.models import ChainLink
from clusterbrain.engines.resolution.uscc import USCCError, normalise_uscc, validate_uscc
from clusterbrain.errors import FieldError, Forbidden, InvalidInput, NotFound
from clusterbrain.registry import selectors
from clusterbrain.registry.models import (
    AGGREGATED_ENTERPRISE_FIELDS,
    Certification,
    Cluster,
    Enterprise,
    EnterpriseRole,
    EnterpriseYear,
    Facility,
    uscc_error_message,
)
from clusterbrain.registry.selectors import as_id

# Profile fields an enterprise keeps itself (and stewards may correct).
PROFILE_FIELDS = frozenset(
    {
        "uscc",
        "name_zh",
        "name_en",
        "legal_form",
        "address_zh",
        "address_en",
        "admin_division",
        "latitude",
        "longitude",
        "size_class",
        "founded_year",
        "description_zh",
        "description_en",
        "main_products_zh",
        "main_products_en",
        "website",
        "legal_representative",
        "phone",
        "business_scope",
    }
)
# The association's classification of a firm: not the firm's own to change.
STEWARD_FIELDS = frozenset({"is_member", "is_leading", "in_cluster"})
# The firm's consent to share figures with the association: only the firm (or an admin) gives it,
# otherwise association staff could grant themselves access.
CONSENT_FIELDS = frozenset({"shares_with_association"})
ENTERPRISE_FIELDS = PROFILE_FIELDS | STEWARD_FIELDS | CONSENT_FIELDS

FACILITY_FIELDS = frozenset(
    {
        "name_zh",
        "name_en",
        "kind",
        "address_zh",
        "address_en",
        "admin_division",
        "latitude",
        "longitude",
        "in_cluster",
    }
)
CERTIFICATION_FIELDS = frozenset({"kind", "issuer", "number", "valid_from", "valid_until"})
YEAR_FIELDS = frozenset({"revenue", "output_value", "employees", "exports"})

EVIDENCE_TYPES = {
    # extension → leading bytes of the file
    ".pdf": (b"%PDF-",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".png": (b"\x89PNG\r\n\x1a\n",),
}
_ADMIN_DIVISION = re.compile(r"^\d{6}$")
FIRST_FIGURE_YEAR = 1980


class _Problems:
    """Collects field errors; `raise_if_any` raises them all at once."""

    def __init__(self) -> None:
        self.errors: list[FieldError] = []

    def add(self, loc: str | tuple[str | int, ...], msg: str) -> None:
        self.errors.append(FieldError(loc if isinstance(loc, tuple) else (loc,), str(msg)))

    def fields(self) -> set[str]:
        return {str(e.loc[0]) for e in self.errors if e.loc}

    def extend_from(self, exc: ValidationError, prefix: tuple[str | int, ...] = ()) -> None:
        """Add a model's validation errors, except for fields already reported (a model's
        `clean()` may repeat a rule the service checked first)."""
        if hasattr(exc, "error_dict"):
            reported = {e.loc for e in self.errors}
            for name, errors in exc.error_dict.items():
                loc = prefix if name == NON_FIELD_ERRORS else (*prefix, name)
                if loc in reported:
                    continue
                for error in errors:
                    for message in error.messages:
                        self.add(loc or ("__all__",), message)
        else:
            for message in exc.messages:
                self.add(prefix or ("__all__",), message)

    def raise_if_any(self) -> None:
        if self.errors:
            if len(self.errors) == 1:
                detail = self.errors[0].msg
            else:
                detail = _("%(count)d fields need correcting.") % {"count": len(self.errors)}
            raise InvalidInput(detail, self.errors)


def _reject_unknown(data: Mapping[str, Any], allowed: Iterable[str], problems: _Problems) -> None:
    allowed = set(allowed)
    for key in data:
        if key not in allowed:
            problems.add(str(key), _("Unknown field."))
        elif isinstance(data[key], str) and not _storable(data[key]):
            problems.add(str(key), _("The text contains characters that cannot be stored."))


def _storable(text: str) -> bool:
    """No NUL (PostgreSQL refuses it) and no lone surrogate (not UTF-8)."""
    if "\x00" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _apply(instance: models.Model, data: Mapping[str, Any], allowed: Iterable[str]) -> list[str]:
    allowed = set(allowed)
    changed = []
    for key, value in data.items():
        if key in allowed:
            setattr(instance, key, value)
            changed.append(key)
    return changed


def _full_clean(
    instance: models.Model,
    problems: _Problems,
    *,
    validate_unique: bool = False,
    validate_constraints: bool = False,
) -> None:
    """The model's field validators, skipping fields already reported (one message a field)."""
    try:
        instance.full_clean(
            exclude=problems.fields(),
            validate_unique=validate_unique,
            validate_constraints=validate_constraints,
        )
    except ValidationError as exc:
        problems.extend_from(exc)


def _label(model: type[models.Model], name: str) -> str:
    """The field's name for people (its verbose name, in the request's language)."""
    field = model._meta.get_field(name)
    return str(capfirst(getattr(field, "verbose_name", name)))


def _check_coordinates(
    data: Mapping[str, Any], problems: _Problems, model: type[models.Model] = Enterprise
) -> None:
    for name, limit in (("latitude", 90), ("longitude", 180)):
        value = data.get(name)
        if value is None or value == "":
            continue
        number = _as_number(value)
        if number is None:
            problems.add(name, _("Enter a number."))
        elif not -limit <= number <= limit:
            problems.add(
                name,
                _("%(field)s must be between %(low)s and %(high)s.")
                % {"field": _label(model, name), "low": -limit, "high": limit},
            )


def _check_admin_division(data: Mapping[str, Any], problems: _Problems) -> None:
    value = data.get("admin_division")
    if value and not _ADMIN_DIVISION.match(str(value)):
        problems.add("admin_division", _("An administrative division code has 6 digits."))


def _as_number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _check_amount(
    name: str, value: Any, problems: _Problems, model: type[models.Model]
) -> float | None:
    """A finite number ≥ 0, or None after recording the problem (`model` names the field)."""
    number = _as_number(value)
    if number is None:
        problems.add(name, _("Enter a number."))
        return None
    if number < 0:
        problems.add(name, _("%(field)s cannot be negative.") % {"field": _label(model, name)})
        return None
    return number


def _check_uscc(
    raw: Any, problems: _Problems, *, exclude_pk: int | None = None
) -> tuple[bool, str | None]:
    """(valid, normalised code or None for 'no code'); reports invalid and duplicate codes."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return True, None
    if not isinstance(raw, str):
        problems.add("uscc", _("Enter the code as text."))
        return False, None
    try:
        code = validate_uscc(raw)
    except USCCError as exc:
        problems.add("uscc", uscc_error_message(exc))
        return False, normalise_uscc(raw)
    duplicates = Enterprise.objects.filter(uscc=code)
    if exclude_pk is not None:
        duplicates = duplicates.exclude(pk=exclude_pk)
    if duplicates.exists():
        problems.add("uscc", _("An enterprise with this unified social credit code is registered."))
        return False, code
    return True, code


def _check_founded_year(data: Mapping[str, Any], problems: _Problems) -> None:
    value = data.get("founded_year")
    if value is None or value == "":
        return
    year = _as_int(value)
    if year is None:
        problems.add("founded_year", _("Enter a whole number."))
    elif not 1900 <= year <= timezone.localdate().year:
        problems.add(
            "founded_year",
            _("The founding year must be between 1900 and %(year)d.")
            % {"year": timezone.localdate().year},
        )


def _as_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return int(number) if number.is_integer() else None


def _check_bools(data: Mapping[str, Any], names: Iterable[str], problems: _Problems) -> None:
    for name in names:
        if name in data and not isinstance(data[name], bool):
            problems.add(name, _("Enter true or false."))


def _require_edit(user: Any, enterprise: Enterprise) -> None:
    if not permissions.can_edit_enterprise(user, enterprise):
        raise Forbidden(_("You may not change this enterprise."))


def _is_steward_of(user: Any, enterprise: Enterprise) -> bool:
    """Admins, and association staff of the firm's cluster (not the firm's own users)."""
    return permissions.is_admin(user) or (
        permissions.can_edit_enterprise(user, enterprise)
        and getattr(user, "enterprise_id", None) != enterprise.pk
    )


def _check_field_rights(
    user: Any, enterprise: Enterprise | None, keys: Iterable[str], *, creating: bool = False
) -> None:
    """Stewards classify firms; only the firm itself (or an admin) consents to sharing."""
    keys = set(keys)
    denied: list[FieldError] = []
    is_admin = permissions.is_admin(user)
    is_steward = is_admin or (
        enterprise is not None
        and permissions.can_edit_enterprise(user, enterprise)
        and getattr(user, "enterprise_id", None) != enterprise.pk
    )
    if creating:
        is_steward = True  # creating is for stewards only, checked by the caller
    for name in sorted(keys & STEWARD_FIELDS):
        if not is_steward:
            denied.append(FieldError((name,), _("Only association staff may change this.")))
    own_firm = enterprise is not None and (
        getattr(user, "enterprise_id", None) == enterprise.pk
        and permissions.can_edit_enterprise(user, enterprise)
    )
    for name in sorted(keys & CONSENT_FIELDS):
        if not (is_admin or own_firm):
            denied.append(
                FieldError((name,), _("Only the enterprise itself may give this consent."))
            )
    if denied:
        raise Forbidden(_("You may not change these fields."), denied)


def _validate_enterprise(
    enterprise: Enterprise,
    data: Mapping[str, Any],
    problems: _Problems,
    *,
    exclude_pk: int | None,
    may_clear_uscc: bool = True,
) -> None:
    """`may_clear_uscc`: False for the firm's own users. The code is what ties the registry to
    the firm's legal identity (and to its records elsewhere); they may correct it, not drop it."""
    _reject_unknown(data, ENTERPRISE_FIELDS, problems)
    _check_coordinates(data, problems)
    _check_admin_division(data, problems)
    _check_founded_year(data, problems)
    _check_bools(data, STEWARD_FIELDS | CONSENT_FIELDS, problems)
    if "uscc" in data:
        valid, code = _check_uscc(data["uscc"], problems, exclude_pk=exclude_pk)
        if valid and code is None and enterprise.uscc and not may_clear_uscc:
            problems.add(
                "uscc",
                _(
                    "The unified social credit code cannot be removed by the enterprise; "
                    "correct it, or ask the association."
                ),
            )
        elif valid:
            enterprise.uscc = code
    for name in ("name_zh",):
        if name in data and not str(data[name] or "").strip():
            problems.add(name, _("This field cannot be blank."))
    clean = {k: v for k, v in data.items() if k in ENTERPRISE_FIELDS and k != "uscc"}
    for key, value in clean.items():
        if isinstance(value, str):
            clean[key] = value.strip()
        if value is None and key in {"latitude", "longitude", "founded_year"}:
            clean[key] = None
        elif value is None:
            clean[key] = ""
    _apply(enterprise, {k: v for k, v in clean.items() if k not in problems.fields()}, clean)
    _full_clean(enterprise, problems)


def _invalidate(cluster_id: int) -> None:
    selectors.invalidate_cluster(cluster_id)


@transaction.atomic
def create_enterprise(user: Any, cluster: Cluster, data: Mapping[str, Any]) -> Enterprise:
    if not permissions.can_create_enterprise(user, cluster):
        raise Forbidden(_("Only association staff of this cluster may register enterprises."))
    _check_field_rights(user, None, data.keys(), creating=True)
    problems = _Problems()
    enterprise = Enterprise(cluster=cluster)
    if "name_zh" not in data:
        problems.add("name_zh", _("This field is required."))
    _validate_enterprise(enterprise, data, problems, exclude_pk=None)
    problems.raise_if_any()
    enterprise.save()
    _invalidate(cluster.pk)
    return enterprise


@transaction.atomic
def update_enterprise(user: Any, enterprise: Enterprise, data: Mapping[str, Any]) -> Enterprise:
    """Partial update: only the keys present in `data` change. Returns a fresh instance; the one
    passed in is left as it was, even when the update is refused."""
    _require_edit(user, enterprise)
    _check_field_rights(user, enterprise, data.keys())
    current = Enterprise.objects.select_for_update().get(pk=enterprise.pk)
    problems = _Problems()
    _validate_enterprise(
        current,
        data,
        problems,
        exclude_pk=current.pk,
        may_clear_uscc=_is_steward_of(user, current),
    )
    problems.raise_if_any()
    fields = [k for k in data if k in ENTERPRISE_FIELDS]
    if fields:
        current.save(update_fields=[*fields, "updated_at"])
        from clusterbrain.registry.stewardship import record_manual_values

        record_manual_values(user, current, fields)
    if set(fields) & AGGREGATED_ENTERPRISE_FIELDS:
        _invalidate(current.cluster_id)
    return current


def _link_of_cluster(cluster_id: int, link_code: Any) -> ChainLink | None:
    if not isinstance(link_code, str) or not link_code:
        return None
    return ChainLink.objects.filter(template__clusters__pk=cluster_id, code=link_code).first()


@transaction.atomic
def set_role(
    user: Any,
    enterprise: Enterprise,
    *,
    link_code: str,
    product_category: str = "",
    capacity_per_month: Any,
    output_per_month: Any = 0,
) -> EnterpriseRole:
    """The firm's activity in a link (one per product category); sets it or replaces its figures."""
    _require_edit(user, enterprise)
    problems = _Problems()
    _reject_unknown(
        {"link_code": link_code, "product_category": product_category},
        {"link_code", "product_category"},
        problems,
    )
    link = _link_of_cluster(enterprise.cluster_id, link_code) if not problems.errors else None
    if link is None and "link_code" not in problems.fields():
        problems.add(
            "link_code",
            _("%(code)r is not a link of this cluster's chain.") % {"code": link_code},
        )
    capacity = _check_amount("capacity_per_month", capacity_per_month, problems, EnterpriseRole)
    output = _check_amount("output_per_month", output_per_month, problems, EnterpriseRole)
    if capacity is not None and output is not None and output > capacity:
        problems.add(
            "output_per_month",
            _("%(output)s cannot exceed %(capacity)s (%(value)s).")
            % {
                "output": _label(EnterpriseRole, "output_per_month"),
                "capacity": _label(EnterpriseRole, "capacity_per_month").lower(),
                "value": f"{capacity:g}",
            },
        )
    category = (product_category or "").strip()
    max_length = EnterpriseRole._meta.get_field("product_category").max_length
    if "product_category" in problems.fields():
        pass
    elif max_length is not None and len(category) > max_length:
        problems.add(
            "product_category",
            _("At most %(n)d characters.") % {"n": max_length},
        )
    problems.raise_if_any()
    assert link is not None and capacity is not None and output is not None  # checked above
    role, _created = EnterpriseRole.objects.update_or_create(
        enterprise=enterprise,
        link=link,
        product_category=category,
        defaults={"capacity_per_month": capacity, "output_per_month": output},
    )
    _invalidate(enterprise.cluster_id)
    return role


@transaction.atomic
def remove_role(user: Any, enterprise: Enterprise, role_id: int) -> None:
    _require_edit(user, enterprise)
    pk = as_id(role_id)
    deleted = 0
    if pk is not None:
        deleted, _rows = EnterpriseRole.objects.filter(pk=pk, enterprise=enterprise).delete()
    if not deleted:
        raise NotFound(_("This enterprise has no such chain role."))
    _invalidate(enterprise.cluster_id)


@transaction.atomic
def add_facility(user: Any, enterprise: Enterprise, data: Mapping[str, Any]) -> Facility:
    _require_edit(user, enterprise)
    problems = _Problems()
    _reject_unknown(data, FACILITY_FIELDS, problems)
    _check_coordinates(data, problems, Facility)
    _check_admin_division(data, problems)
    _check_bools(data, {"in_cluster"}, problems)
    if not str(data.get("name_zh") or "").strip():
        problems.add("name_zh", _("This field is required."))
    facility = Facility(enterprise=enterprise)
    values = {
        k: (v.strip() if isinstance(v, str) else v)
        for k, v in data.items()
        if k in FACILITY_FIELDS and k not in problems.fields()
    }
    _apply(facility, values, FACILITY_FIELDS)
    _full_clean(facility, problems)
    problems.raise_if_any()
    facility.save()  # no cluster aggregate counts sites: the cache stays
    return facility


def _as_date(name: str, value: Any, problems: _Problems) -> datetime.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value))
    except ValueError:
        problems.add(name, _("Enter a date as YYYY-MM-DD."))
        return None


def _check_evidence(evidence: UploadedFile, problems: _Problems) -> None:
    name = (evidence.name or "").lower()
    suffix = name[name.rfind(".") :] if "." in name else ""
    if evidence.size is not None and evidence.size > settings.EVIDENCE_MAX_BYTES:
        problems.add(
            "evidence",
            _("The file is larger than %(mb).1f MB.")
            % {"mb": settings.EVIDENCE_MAX_BYTES / 1024 / 1024},
        )
        return
    magics = EVIDENCE_TYPES.get(suffix)
    if magics is None:
        problems.add("evidence", _("Upload a PDF, JPEG or PNG file."))
        return
    evidence.seek(0)
    head = evidence.read(16)
    evidence.seek(0)
    if not any(head.startswith(magic) for magic in magics):
        problems.add(
            "evidence",
            _("The file's content is not the %(type)s its name says.") % {"type": suffix},
        )


@transaction.atomic
def add_certification(
    user: Any,
    enterprise: Enterprise,
    data: Mapping[str, Any],
    evidence: UploadedFile | None = None,
) -> Certification:
    _require_edit(user, enterprise)
    problems = _Problems()
    _reject_unknown(data, CERTIFICATION_FIELDS, problems)
    if not data.get("kind"):
        problems.add("kind", _("This field is required."))
    valid_from = _as_date("valid_from", data.get("valid_from"), problems)
    valid_until = _as_date("valid_until", data.get("valid_until"), problems)
    if valid_from and valid_until and valid_until < valid_from:
        problems.add("valid_until", _("The validity cannot end before it starts."))
    if evidence is not None:
        _check_evidence(evidence, problems)
    certification = Certification(
        enterprise=enterprise,
        kind=data.get("kind") or "",
        issuer=(data.get("issuer") or "").strip(),
        number=(data.get("number") or "").strip(),
        valid_from=valid_from,
        valid_until=valid_until,
    )
    _full_clean(certification, problems)
    problems.raise_if_any()
    if evidence is not None:
        certification.evidence = evidence
    if permissions.can_verify_certification(user, enterprise):
        # Entered by the association or an admin: their entry is the check.
        certification.verified = True
        certification.verified_by = user
        certification.verified_at = timezone.now()
    certification.save()
    _invalidate(enterprise.cluster_id)
    return certification


@transaction.atomic
def verify_certification(user: Any, certification: Certification) -> Certification:
    """Mark a firm's certificate as checked: from now on it counts in the cluster's figures.
    Association staff of the firm's cluster and admins; verifying twice keeps the first check."""
    enterprise = certification.enterprise
    if not permissions.can_verify_certification(user, enterprise):
        raise Forbidden(_("Only association staff of this cluster may verify certificates."))
    current = Certification.objects.select_for_update().get(pk=certification.pk)
    if not current.verified:
        current.verified = True
        current.verified_by = user
        current.verified_at = timezone.now()
        current.save(update_fields=["verified", "verified_by", "verified_at"])
        _invalidate(enterprise.cluster_id)
    return current


@transaction.atomic
def remove_certification(user: Any, enterprise: Enterprise, certification_id: Any) -> None:
    """Delete one of the firm's certificates (the firm itself, association staff of its
    cluster, admins) and, once the deletion is committed, its evidence file."""
    _require_edit(user, enterprise)
    pk = as_id(certification_id)
    certification = (
        Certification.objects.filter(pk=pk, enterprise=enterprise).first()
        if pk is not None
        else None
    )
    if certification is None:
        raise NotFound(_("This enterprise has no such certification."))
    evidence = certification.evidence
    name, storage = evidence.name, evidence.storage if evidence else None
    certification.delete()
    if name and storage is not None:
        transaction.on_commit(lambda: storage.delete(name))
    _invalidate(enterprise.cluster_id)


def _refresh_above_designated_size(enterprise: Enterprise) -> None:
    """From the latest year whose revenue is known; left alone while no revenue is known."""
    latest = (
        EnterpriseYear.objects.filter(enterprise=enterprise, revenue__isnull=False)
        .order_by("-year")
        .values_list("revenue", flat=True)
        .first()
    )
    if latest is None:
        return
    above = Decimal(latest) >= Decimal(settings.ABOVE_DESIGNATED_SIZE_REVENUE)
    if above != enterprise.above_designated_size:
        Enterprise.objects.filter(pk=enterprise.pk).update(
            above_designated_size=above, updated_at=timezone.now()
        )
        enterprise.above_designated_size = above


@transaction.atomic
def record_year(
    user: Any, enterprise: Enterprise, year: int, data: Mapping[str, Any]
) -> EnterpriseYear:
    """Set the firm's figures of one year (keys absent from `data` keep their value) and keep
    `above_designated_size` in step with the latest revenue.

    Confidential: the writer must be allowed to read them too, or a partial update would hand
    back figures it may not see."""
    if not (
        permissions.can_edit_enterprise(user, enterprise)
        and permissions.can_view_confidential(user, enterprise)
    ):
        raise Forbidden(_("You may not record this enterprise's figures."))
    problems = _Problems()
    _reject_unknown(data, YEAR_FIELDS, problems)
    this_year = timezone.localdate().year
    year_number = _as_int(year)
    if year_number is None or not FIRST_FIGURE_YEAR <= year_number <= this_year:
        problems.add(
            "year",
            _("The year must be between %(low)d and %(high)d.")
            % {"low": FIRST_FIGURE_YEAR, "high": this_year},
        )
    values: dict[str, Any] = {}
    for name in sorted(YEAR_FIELDS & set(data)):
        value = data[name]
        if value is None or value == "":
            values[name] = None
            continue
        number = _check_amount(name, value, problems, EnterpriseYear)
        if number is None:
            continue
        if name == "employees":
            if not float(number).is_integer():
                problems.add(name, _("Enter a whole number."))
                continue
            values[name] = int(number)
        else:
            values[name] = Decimal(str(value)) if not isinstance(value, Decimal) else value
    record = (
        EnterpriseYear.objects.filter(enterprise=enterprise, year=year_number).first()
        if year_number is not None
        else None
    ) or EnterpriseYear(enterprise=enterprise, year=year_number or this_year)
    _apply(record, values, YEAR_FIELDS)
    _full_clean(record, problems)
    problems.raise_if_any()
    record.save()
    _refresh_above_designated_size(enterprise)
    _invalidate(enterprise.cluster_id)
    return record
