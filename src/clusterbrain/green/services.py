"""Every write of green production: validation, permissions, transactions, the engine's
footprint and limits.

CONTRACT (pages, API and CLI; each raises errors.InvalidInput naming every field, Forbidden or
NotFound, and changes nothing when it raises):

    save_record(user, enterprise, data, record=None) -> ProductionRecord   the firm's users
    delete_record(user, record) -> None
    add_test(user, enterprise, data) -> WastewaterTest
    delete_test(user, test) -> None
    set_carbon_year(user, enterprise, year, data) -> CarbonYear
    import_records(user, enterprise, rows, row_numbers=None) -> list[ProductionRecord]
                                                                           all rows or none
    check_import(user, enterprise, size) -> None                           before reading an upload
    import_file(user, enterprise, content, file_name, dry_run=False) -> ImportResult
                                                                           a CSV/XLSX file
    record_violation(user, enterprise, data) -> EnvironmentalViolation    the cluster office
    close_violation(user, violation, closed_on=None) -> EnvironmentalViolation

`data` holds the fields by name (strings from forms, numbers from the API). A record's energy
in tce and its CO₂e are computed here with engines.green's factors; a test's compliance with
GB 30486-2013 likewise.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clusterbrain.engines.green import check_wastewater, co2e_t, energy_tce
from clusterbrain.engines.green.limits import Discharge
from clusterbrain.errors import FieldError, Forbidden, InvalidInput, NotFound
from clusterbrain.green import permissions
from clusterbrain.green.models import (
    AREA_FIELDS,
    ENERGY_FIELDS,
    CarbonYear,
    EnvironmentalViolation,
    ProductionRecord,
    WastewaterTest,
)
from clusterbrain.registry.importing import _header_key
from clusterbrain.registry.models import Enterprise, Facility
from clusterbrain.registry.selectors import as_id
from clusterbrain.registry.services import _as_date, _as_int, _as_number, _Problems, _reject_unknown

FIRST_YEAR = 2000
# Beyond these a figure is a typo (a tannery's month is at most millions of m², kWh, m³).
MAX_VALUE = 1e12
MAX_MG_L = 1e6
MAX_VALUE_ADDED = Decimal("99999999999999")
OPTIONAL_NUMBERS = ("output_quantity", "water_m3", "chemicals_kg", "chrome_agent_kg")
RECORD_FIELDS = frozenset(
    {"facility", "month", "output_unit", "note", *AREA_FIELDS, *ENERGY_FIELDS, *OPTIONAL_NUMBERS}
)
TEST_FIELDS = frozenset(
    {
        "facility",
        "sampled_on",
        "laboratory",
        "report_number",
        "discharge",
        "total_cr_mg_l",
        "cr6_mg_l",
        "cod_mg_l",
    }
)
YEAR_FIELDS = frozenset({"value_added", "publishes_grade"})
# A file's row may also name its site by name or number (`site`), and give a one-process
# month's area as `process` + `area_m2` instead of the four area columns.
FILE_FIELDS = RECORD_FIELDS | {"site", "process", "area_m2"}
# Spellings of the tanning processes in files, compared after registry.importing's _header_key.
PROCESS_SPELLINGS = {
    "area_chrome_m2": ("chrome", "chrome tanned", "铬鞣", "铬"),
    "area_chrome_free_m2": ("chrome_free", "chrome-free", "wet-white", "无铬鞣", "无铬"),
    "area_vegetable_m2": ("vegetable", "植鞣", "植物鞣"),
    "area_other_m2": ("other", "其他", "其它"),
}
PROCESS_FIELDS = {
    _header_key(spelling): name
    for name, spellings in PROCESS_SPELLINGS.items()
    for spelling in spellings
}
PROCESS_NAMES = "chrome, chrome_free, vegetable, other"


def _today() -> datetime.date:
    return timezone.localdate()


def _require_record(user: Any, enterprise: Enterprise) -> None:
    if not permissions.can_record(user, enterprise):
        raise Forbidden(_("Only the firm's own users may record its green production data."))


def _number(
    name: str,
    value: Any,
    problems: _Problems,
    *,
    required: bool = False,
    maximum: float = MAX_VALUE,
) -> float | None:
    if value is None or value == "":
        if required:
            problems.add(name, _("This field is required."))
        return None
    number = _as_number(value)
    if number is None:
        problems.add(name, _("Enter a number."))
        return None
    if number < 0:
        problems.add(name, _("Enter a number of at least 0."))
        return None
    if number > maximum:
        problems.add(name, _("Enter at most %(max)s.") % {"max": f"{maximum:,.0f}"})
        return None
    return number


def _text(name: str, value: Any, problems: _Problems, *, max_length: int) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        problems.add(name, _("Enter the value as text."))
        return ""
    text = value.strip()
    if len(text) > max_length:
        problems.add(name, _("Enter at most %(limit)s characters.") % {"limit": max_length})
    return text


def _facility(enterprise: Enterprise, value: Any, problems: _Problems) -> Facility | None:
    if value in (None, ""):
        return None
    pk = as_id(value)
    facility = Facility.objects.filter(pk=pk, enterprise=enterprise).first() if pk else None
    if facility is None:
        problems.add("facility", _("This firm has no such site."))
    return facility


def _month(value: Any, problems: _Problems) -> datetime.date | None:
    """A month as YYYY-MM (or any date in it), from 2000 to the current month."""
    if value is None or value == "":
        problems.add("month", _("This field is required."))
        return None
    day: datetime.date | None = None
    if isinstance(value, datetime.date):
        day = value
    elif isinstance(value, str):
        text = value.strip()
        try:
            day = (
                datetime.date.fromisoformat(text + "-01")
                if len(text) == 7
                else datetime.date.fromisoformat(text)
            )
        except ValueError:
            day = None
    if day is None:
        problems.add("month", _("Enter a month as YYYY-MM."))
        return None
    month = day.replace(day=1)
    if month > _today().replace(day=1):
        problems.add("month", _("The month cannot be in the future."))
        return None
    if month.year < FIRST_YEAR:
        problems.add("month", _("The month must be in %(year)d or later.") % {"year": FIRST_YEAR})
        return None
    return month


def _apply_footprint(record: ProductionRecord) -> None:
    values = [float(getattr(record, name)) for name in ENERGY_FIELDS]
    record.energy_tce = float(energy_tce(*values))
    record.co2e_t = float(co2e_t(*values))


def _record_values(
    enterprise: Enterprise, data: Mapping[str, Any], problems: _Problems, partial: bool
) -> dict[str, Any]:
    """The record's fields from `data`; with `partial`, absent keys are left out (kept)."""
    values: dict[str, Any] = {}
    if not partial or "facility" in data:
        values["facility"] = _facility(enterprise, data.get("facility"), problems)
    if not partial or "month" in data:
        values["month"] = _month(data.get("month"), problems)
    for name in (*AREA_FIELDS, *ENERGY_FIELDS):
        if not partial or name in data:
            values[name] = _number(name, data.get(name), problems) or 0.0
    for name in OPTIONAL_NUMBERS:
        if not partial or name in data:
            values[name] = _number(name, data.get(name), problems)
    if not partial or "output_unit" in data:
        values["output_unit"] = _text(
            "output_unit", data.get("output_unit"), problems, max_length=32
        )
    if not partial or "note" in data:
        values["note"] = _text("note", data.get("note"), problems, max_length=300)
    return values


def _check_content(record: ProductionRecord, problems: _Problems) -> bool:
    """A record says what was tanned or produced, or what was used, and the unit of its other
    output. False after recording a problem (or when there were already some)."""
    if record.output_quantity and not record.output_unit:
        problems.add("output_unit", _("Name the unit of the other output (pairs, kg, t …)."))
    if problems.errors:
        return False
    used = [record.area_m2, record.output_quantity or 0, record.water_m3 or 0]
    used += [getattr(record, name) for name in ENERGY_FIELDS]
    if not any(used):
        problems.add(
            "area_chrome_m2",
            _("Enter what was tanned or produced, or the water or energy used."),
        )
        return False
    return True


def _records_changed(enterprise: Enterprise) -> None:
    """The cluster's cached registry aggregates include the chrome-free share measured from
    these records (registry.selectors' KPIs): they are not to be reused."""
    from clusterbrain.registry.selectors import invalidate_cluster

    invalidate_cluster(enterprise.cluster_id)


@transaction.atomic
def save_record(
    user: Any,
    enterprise: Enterprise,
    data: Mapping[str, Any],
    record: ProductionRecord | None = None,
) -> ProductionRecord:
    """Create a month's record of a site (or of the firm, without a site), or change `record`
    (keys absent from `data` keep their value). One record per site and month: a second is
    refused and names the month. A record says what was tanned or produced, or what was used:
    an empty one is refused."""
    saved = _save_record(user, enterprise, data, record)
    _records_changed(enterprise)
    return saved


def _save_record(
    user: Any,
    enterprise: Enterprise,
    data: Mapping[str, Any],
    record: ProductionRecord | None,
) -> ProductionRecord:
    _require_record(user, enterprise)
    if record is not None and record.enterprise_id != enterprise.pk:
        raise NotFound(_("This firm has no such record."))
    problems = _Problems()
    _reject_unknown(data, RECORD_FIELDS, problems)
    values = _record_values(enterprise, data, problems, partial=record is not None)
    target = record or ProductionRecord(enterprise=enterprise, created_by=user)
    for name, value in values.items():
        setattr(target, name, value)
    if _check_content(target, problems) and target.month is not None:
        duplicate = ProductionRecord.objects.filter(
            enterprise=enterprise, facility=target.facility, month=target.month
        ).exclude(pk=target.pk)
        if duplicate.exists():
            problems.add(
                "month",
                _("There is already a record of this site for %(month)s: change that one.")
                % {"month": target.month.strftime("%Y-%m")},
            )
    problems.raise_if_any()
    _apply_footprint(target)
    try:
        with transaction.atomic():
            target.save()
    except IntegrityError as exc:  # a concurrent save of the same month
        raise InvalidInput.field(
            "month", _("There is already a record of this site for this month.")
        ) from exc
    return target


@transaction.atomic
def delete_record(user: Any, record: ProductionRecord) -> None:
    _require_record(user, record.enterprise)
    ProductionRecord.objects.filter(pk=record.pk).delete()
    _records_changed(record.enterprise)


@transaction.atomic
def add_test(user: Any, enterprise: Enterprise, data: Mapping[str, Any]) -> WastewaterTest:
    """A laboratory's wastewater test, judged against GB 30486-2013 for its discharge. At
    least one of total chromium, hexavalent chromium and COD; hexavalent chromium is part of
    total chromium, so it cannot exceed it."""
    _require_record(user, enterprise)
    problems = _Problems()
    _reject_unknown(data, TEST_FIELDS, problems)
    facility = _facility(enterprise, data.get("facility"), problems)
    sampled_on = None
    if data.get("sampled_on") in (None, ""):
        problems.add("sampled_on", _("This field is required."))
    else:
        sampled_on = _as_date("sampled_on", data.get("sampled_on"), problems)
        if sampled_on is not None and sampled_on > _today():
            problems.add("sampled_on", _("The sample date cannot be in the future."))
        elif sampled_on is not None and sampled_on.year < FIRST_YEAR:
            problems.add(
                "sampled_on",
                _("The sample date must be in %(year)d or later.") % {"year": FIRST_YEAR},
            )
    laboratory = _text("laboratory", data.get("laboratory"), problems, max_length=200)
    if not laboratory and "laboratory" not in problems.fields():
        problems.add("laboratory", _("This field is required."))
    report_number = _text("report_number", data.get("report_number"), problems, max_length=100)
    discharge = data.get("discharge") or Discharge.INDIRECT.value
    if discharge not in Discharge.__members__.values():
        problems.add(
            "discharge",
            _("Choose one of: %(limit)s.") % {"limit": ", ".join(d.value for d in Discharge)},
        )
        discharge = Discharge.INDIRECT.value
    total_cr = _number("total_cr_mg_l", data.get("total_cr_mg_l"), problems, maximum=MAX_MG_L)
    cr6 = _number("cr6_mg_l", data.get("cr6_mg_l"), problems, maximum=MAX_MG_L)
    cod = _number("cod_mg_l", data.get("cod_mg_l"), problems, maximum=MAX_MG_L)
    measured = {"total_cr_mg_l", "cr6_mg_l", "cod_mg_l"}
    if total_cr is None and cr6 is None and cod is None and not measured & problems.fields():
        problems.add(
            "total_cr_mg_l", _("Enter at least one result: total chromium, Cr(VI) or COD.")
        )
    if total_cr is not None and cr6 is not None and cr6 > total_cr:
        problems.add(
            "cr6_mg_l", _("Hexavalent chromium is part of total chromium: it cannot be higher.")
        )
    problems.raise_if_any()
    assert sampled_on is not None  # raise_if_any() refused a missing date
    exceeded = check_wastewater(discharge, total_cr=total_cr, cr6=cr6, cod=cod)
    return WastewaterTest.objects.create(
        enterprise=enterprise,
        facility=facility,
        sampled_on=sampled_on,
        laboratory=laboratory,
        report_number=report_number,
        discharge=discharge,
        total_cr_mg_l=total_cr,
        cr6_mg_l=cr6,
        cod_mg_l=cod,
        compliant=not exceeded,
        exceeded=[e.parameter for e in exceeded],
        created_by=user,
    )


@transaction.atomic
def delete_test(user: Any, test: WastewaterTest) -> None:
    _require_record(user, test.enterprise)
    WastewaterTest.objects.filter(pk=test.pk).delete()


@transaction.atomic
def set_carbon_year(
    user: Any, enterprise: Enterprise, year: Any, data: Mapping[str, Any]
) -> CarbonYear:
    """The firm's value added of a year (yuan, income approach) and whether it publishes the
    year's carbon-efficiency grade."""
    _require_record(user, enterprise)
    problems = _Problems()
    _reject_unknown(data, YEAR_FIELDS, problems)
    this_year = _today().year
    number = _as_int(year)
    if number is None or not FIRST_YEAR <= number <= this_year:
        problems.add(
            "year",
            _("The year must be between %(low)d and %(high)d.")
            % {"low": FIRST_YEAR, "high": this_year},
        )
    value = _number("value_added", data.get("value_added"), problems, required=True)
    if value is not None and Decimal(str(value)) > MAX_VALUE_ADDED:
        problems.add("value_added", _("Enter at most %(max)s.") % {"max": f"{MAX_VALUE_ADDED:,}"})
    publishes = data.get("publishes_grade", False)
    if isinstance(publishes, str):
        publishes = publishes.lower() in ("1", "true", "on", "yes")
    if not isinstance(publishes, bool):
        problems.add("publishes_grade", _("Enter true or false."))
    problems.raise_if_any()
    assert number is not None and value is not None
    row, _created = CarbonYear.objects.update_or_create(
        enterprise=enterprise,
        year=number,
        defaults={
            "value_added": Decimal(str(value)).quantize(Decimal("0.01")),
            "publishes_grade": bool(publishes),
        },
    )
    return row


def _site_index(enterprise: Enterprise) -> dict[str, int | None]:
    """The firm's sites by number and by each name (None: a name two sites share)."""
    index: dict[str, int | None] = {}
    for pk, name_zh, name_en in enterprise.facilities.values_list("pk", "name_zh", "name_en"):
        index[str(pk)] = pk
        for name in {_header_key(name_zh or ""), _header_key(name_en or "")} - {""}:
            index[name] = None if name in index and index[name] != pk else pk
    return index


def _file_row(
    row: Mapping[str, Any], sites: dict[str, int | None], problems: _Problems
) -> dict[str, Any]:
    """A file's row in the fields of `save_record`: `site` (a name or number) becomes the
    facility's id, `process` + `area_m2` the area of that process."""
    data = {k: v for k, v in row.items() if k not in ("site", "process", "area_m2")}
    site = row.get("site")
    if site not in (None, ""):
        key = _header_key(str(site))
        if data.get("facility") not in (None, ""):
            problems.add("site", _("Give the site in one column: site or facility, not both."))
        elif key in sites and sites[key] is None:
            problems.add(
                "site",
                _("Two sites of this firm are called “%(site)s”: give the site's number.")
                % {"site": site},
            )
        elif key not in sites:
            problems.add(
                "site",
                _("“%(site)s” is not one of this firm's sites (by name or number).")
                % {"site": str(site)[:60]},
            )
        else:
            data["facility"] = sites[key]
    process, area = row.get("process"), row.get("area_m2")
    if process in (None, "") and area in (None, ""):
        return data
    name = PROCESS_FIELDS.get(_header_key(str(process or "")))
    if process in (None, ""):
        problems.add(
            "process",
            _("Name the tanning process of the area: %(names)s.") % {"names": PROCESS_NAMES},
        )
    elif name is None:
        problems.add(
            "process",
            _("“%(process)s” is not a tanning process: %(names)s.")
            % {"process": str(process)[:60], "names": PROCESS_NAMES},
        )
    elif data.get(name) not in (None, ""):
        problems.add(
            "area_m2",
            _("The row gives the area of this process twice: in area_m2 and in %(field)s.")
            % {"field": name},
        )
    else:
        number = _number("area_m2", area, problems)
        if number is not None:
            data[name] = number
    return data


@transaction.atomic
def import_records(
    user: Any,
    enterprise: Enterprise,
    rows: Sequence[Mapping[str, Any]],
    row_numbers: Sequence[int] | None = None,
) -> list[ProductionRecord]:
    """Monthly records from a file's rows (each a mapping of field → value): every row is
    checked first, and if any has an error nothing is written and every error is raised with
    its row number (`loc` = ("row", n, field); the header is row 1, or `row_numbers` gives
    each row's); a row whose site and month have a record already replaces that record's
    figures. A row may name its site by name or number (`site`) and give a one-process month
    as `process` + `area_m2`."""
    _require_record(user, enterprise)
    problems: list[FieldError] = []
    prepared: list[tuple[int, dict[str, Any]]] = []
    seen: dict[tuple[int | None, datetime.date | None], int] = {}
    sites = _site_index(enterprise)
    numbers = list(row_numbers) if row_numbers is not None else range(2, len(rows) + 2)
    for number, row in zip(numbers, rows, strict=True):
        row_problems = _Problems()
        _reject_unknown(row, FILE_FIELDS, row_problems)
        data = _file_row({k: v for k, v in row.items() if k in FILE_FIELDS}, sites, row_problems)
        values = _record_values(enterprise, data, row_problems, partial=False)
        key = (values["facility"].pk if values.get("facility") else None, values.get("month"))
        if not row_problems.errors:
            _check_content(ProductionRecord(**values), row_problems)
        if values.get("month") is not None and not row_problems.errors:
            if key in seen:
                row_problems.add(
                    "month", _("Row %(row)d has the same site and month.") % {"row": seen[key]}
                )
            seen[key] = number
        problems += [FieldError(("row", number, *e.loc), e.msg) for e in row_problems.errors]
        prepared.append((number, values))
    if not rows:
        raise InvalidInput.field("file", _("The file has no rows."))
    if problems:
        raise InvalidInput(
            _("%(count)d problems in the file; nothing was imported.") % {"count": len(problems)},
            problems,
        )
    months = {values["month"] for _number, values in prepared}
    existing_records = {
        (r.facility_id, r.month): r
        for r in ProductionRecord.objects.filter(enterprise=enterprise, month__in=months)
    }
    saved = []
    for number, values in prepared:
        facility = values["facility"]
        existing = existing_records.get((facility.pk if facility else None, values["month"]))
        data = {k: (v.pk if isinstance(v, Facility) else v) for k, v in values.items()}
        try:
            saved.append(_save_record(user, enterprise, data, existing))
        except InvalidInput as exc:
            raise InvalidInput(
                _("Row %(row)d: %(detail)s; nothing was imported.")
                % {"row": number, "detail": exc.detail},
                [FieldError(("row", number, *e.loc), e.msg) for e in exc.errors],
            ) from exc
    _records_changed(enterprise)
    return saved


@dataclass(frozen=True)
class ImportResult:
    rows: int
    created: int  # records of a site and month the firm had not recorded
    replaced: int  # records whose figures the file's rows replaced
    dry_run: bool  # checked only: nothing was saved


def check_import(user: Any, enterprise: Enterprise, size: int) -> None:
    """Before an upload is read: may the user import for the firm, and is the file small
    enough (the registry's import limit)?"""
    from clusterbrain.registry.importing import check_size

    _require_record(user, enterprise)
    check_size(size)


@transaction.atomic
def import_file(
    user: Any, enterprise: Enterprise, content: bytes, file_name: str, *, dry_run: bool = False
) -> ImportResult:
    """A CSV or XLSX file of monthly records (green.importing reads it): every row or none, as
    `import_records`. With `dry_run` the file is checked as if imported, then rolled back."""
    from clusterbrain.green import importing

    _require_record(user, enterprise)
    records = importing.read_records(content, file_name)
    before = ProductionRecord.objects.filter(enterprise=enterprise).count()
    try:
        saved = import_records(user, enterprise, records.rows, records.row_numbers)
    except InvalidInput as exc:
        raise importing.name_columns(exc, records) from exc
    created = ProductionRecord.objects.filter(enterprise=enterprise).count() - before
    if dry_run:
        transaction.set_rollback(True)
    return ImportResult(
        rows=len(saved), created=created, replaced=len(saved) - created, dry_run=dry_run
    )


# --- environmental violations (issue 7: an eligibility field of support programs) ----------

VIOLATION_FIELDS = frozenset({"authority", "found_on", "description"})


def _require_office(user: Any, enterprise: Enterprise) -> None:
    from clusterbrain.accounts.permissions import can_view_enterprise_statistics

    # The office keeps them: a finding of the authorities, not the firm's own word.
    if not can_view_enterprise_statistics(user, enterprise.cluster):
        raise Forbidden(_("Only the cluster office records environmental violations."))


@transaction.atomic
def record_violation(
    user: Any, enterprise: Enterprise, data: Mapping[str, Any]
) -> EnvironmentalViolation:
    _require_office(user, enterprise)
    problems = _Problems()
    _reject_unknown(data, VIOLATION_FIELDS, problems)
    authority = _text("authority", data.get("authority"), problems, max_length=200)
    if not authority and "authority" not in problems.fields():
        problems.add("authority", _("This field is required."))
    found_on = _as_date("found_on", data.get("found_on"), problems)
    if found_on is None and "found_on" not in problems.fields():
        problems.add("found_on", _("This field is required."))
    elif found_on is not None and found_on > _today():
        problems.add("found_on", _("The date cannot be in the future."))
    description = _text("description", data.get("description"), problems, max_length=5000)
    problems.raise_if_any()
    assert found_on is not None  # reported above otherwise
    return EnvironmentalViolation.objects.create(
        enterprise=enterprise,
        authority=authority,
        found_on=found_on,
        description=description,
        created_by=user,
    )


@transaction.atomic
def close_violation(
    user: Any, violation: EnvironmentalViolation, closed_on: Any = None
) -> EnvironmentalViolation:
    _require_office(user, violation.enterprise)
    # Read the status under the row's lock: two offices closing at once close it once.
    violation = EnvironmentalViolation.objects.select_for_update().get(pk=violation.pk)
    problems = _Problems()
    day = _as_date("closed_on", closed_on, problems) if closed_on not in (None, "") else _today()
    if day is not None and day < violation.found_on:
        problems.add("closed_on", _("A violation cannot be closed before it was found."))
    if violation.status == EnvironmentalViolation.Status.CLOSED:
        problems.add("status", _("The violation is already closed."))
    problems.raise_if_any()
    violation.status = EnvironmentalViolation.Status.CLOSED
    violation.closed_on = day
    violation.save(update_fields=["status", "closed_on"])
    return violation
