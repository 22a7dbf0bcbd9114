"""Green production in the JSON API under /api/v1/: parse, call a selector or service, return
a schema. A firm's records, tests and grades need a session (with CSRF) or a bearer token and
the right to see the firm's confidential figures (a firm not visible is 404, like an absent
one); the cluster's green figures are public aggregates, withheld below k firms; every firm's
grade is the office's. Errors: `{"detail": …, "errors": [{"loc": […], "msg": …}]}`.
"""

from __future__ import annotations

import datetime
from typing import Any, Literal

from django.http import HttpRequest
from ninja import File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import ConfigDict, Field

from clusterbrain.accounts.auth import READ_AUTH, WRITE_AUTH
from clusterbrain.engines.green import factors
from clusterbrain.green import selectors, services
from clusterbrain.green.models import ProductionRecord, WastewaterTest
from clusterbrain.registry import schemas as registry_schemas
from clusterbrain.registry import selectors as registry_selectors
from clusterbrain.registry.api import ERRORS, READ_ERRORS

router = Router(tags=["green"])

Number = float | None


def _user(request: HttpRequest) -> Any:
    return request.auth  # type: ignore[attr-defined]


class _Input(Schema):
    """A misspelt field is refused (422 naming it), not silently left at its default."""

    model_config = ConfigDict(extra="forbid")


class RecordIn(_Input):
    month: str = Field(description="YYYY-MM")
    facility: int | None = Field(None, description="Site id (one of the firm's facilities)")
    area_chrome_m2: float = Field(0, ge=0, allow_inf_nan=False)
    area_chrome_free_m2: float = Field(0, ge=0, allow_inf_nan=False)
    area_vegetable_m2: float = Field(0, ge=0, allow_inf_nan=False)
    area_other_m2: float = Field(0, ge=0, allow_inf_nan=False)
    output_quantity: float | None = Field(None, ge=0, allow_inf_nan=False)
    output_unit: str = ""
    water_m3: float | None = Field(None, ge=0, allow_inf_nan=False)
    electricity_kwh: float = Field(0, ge=0, allow_inf_nan=False)
    coal_t: float = Field(0, ge=0, allow_inf_nan=False)
    natural_gas_m3: float = Field(0, ge=0, allow_inf_nan=False)
    diesel_t: float = Field(0, ge=0, allow_inf_nan=False)
    steam_gj: float = Field(0, ge=0, allow_inf_nan=False)
    chemicals_kg: float | None = Field(None, ge=0, allow_inf_nan=False)
    chrome_agent_kg: float | None = Field(None, ge=0, allow_inf_nan=False)
    note: str = ""


class RecordPatch(RecordIn):
    """The fields to change; those not sent keep their value."""

    month: str | None = Field(None, description="YYYY-MM")  # type: ignore[assignment]


class RecordOut(Schema):
    id: int
    enterprise: int
    facility: int | None
    month: str
    area_chrome_m2: float
    area_chrome_free_m2: float
    area_vegetable_m2: float
    area_other_m2: float
    area_m2: float
    chrome_free_share: float | None
    output_quantity: float | None
    output_unit: str
    water_m3: float | None
    electricity_kwh: float
    coal_t: float
    natural_gas_m3: float
    diesel_t: float
    steam_gj: float
    chemicals_kg: float | None
    chrome_agent_kg: float | None
    energy_tce: float = Field(description="GB/T 2589-2020 coefficients")
    co2e_t: float = Field(description="Emission factors: GET /green/factors")
    note: str


class WastewaterTestIn(_Input):
    sampled_on: datetime.date
    laboratory: str
    report_number: str = ""
    facility: int | None = None
    discharge: Literal["indirect", "direct"] = "indirect"
    total_cr_mg_l: float | None = Field(None, ge=0, allow_inf_nan=False)
    cr6_mg_l: float | None = Field(None, ge=0, allow_inf_nan=False)
    cod_mg_l: float | None = Field(None, ge=0, allow_inf_nan=False)


class WastewaterTestOut(Schema):
    id: int
    enterprise: int
    facility: int | None
    sampled_on: datetime.date
    cycle: str = Field(description="ZDHC cycle: YYYY-04 (Nov–Apr) or YYYY-10 (May–Oct)")
    laboratory: str
    report_number: str
    discharge: str
    total_cr_mg_l: float | None
    cr6_mg_l: float | None
    cod_mg_l: float | None
    compliant: bool = Field(description="Within GB 30486-2013 table 2")
    exceeded: list[str]


class CycleOut(Schema):
    cycle: str
    starts: datetime.date
    ends: datetime.date
    state: str = Field(description="tested | due | overdue")
    last_sample: datetime.date | None
    days_left: int


class YearIn(_Input):
    value_added: float = Field(ge=0, allow_inf_nan=False, description="yuan")
    publishes_grade: bool = False


class GradeOut(Schema):
    enterprise: registry_schemas.EnterpriseRef
    year: int
    industry: str
    industry_name: str
    months: int
    emissions_t: float | None = Field(None, description="The firm's readers only")
    value_added: float | None = Field(None, description="The firm's readers only")
    intensity: float | None = Field(None, description="tCO₂e per 10,000 yuan value added")
    benchmark: float | None
    ratio: float | None
    grade: int | None = Field(description="1 (best) … 5; null: incomplete year or no benchmark")
    level: int | None
    peers: int
    published: bool


class YearGreenOut(Schema):
    year: int
    firms: int
    area_m2: float | None
    chrome_free_share: float | None
    water_per_m2: float | None
    energy_per_m2: float | None = Field(description="kgce per m²")
    co2e_per_m2: float | None = Field(description="kg CO₂e per m²")
    suppressed: bool


class OutputGreenOut(Schema):
    year: int
    unit: str
    firms: int
    quantity: float | None
    water_per_unit: float | None
    energy_per_unit: float | None
    suppressed: bool


class FiguresOut(Schema):
    cluster: str
    by_year: list[YearGreenOut]
    output_by_year: list[OutputGreenOut]
    tests: int
    compliance_rate: float | None
    compliance_suppressed: bool
    cycle: str
    expected_firms: int
    tested_firms: int | None
    tested_share: float | None
    cycle_suppressed: bool
    lwg: dict[str, int]
    lwg_firms: int
    green_factories: int
    grade_year: int | None
    grade_distribution: dict[int, int] | None
    grades_suppressed: bool
    min_firms: int


class GradeTableOut(Schema):
    year: int | None
    years: list[int]
    grades: list[GradeOut]


class FactorsOut(Schema):
    t_co2_per_kwh: float
    t_co2_per_t_coal: float
    t_co2_per_m3_gas: float
    t_co2_per_t_diesel: float
    t_co2_per_gj_steam: float
    sources: dict[str, str]


def record_out(record: ProductionRecord) -> dict[str, Any]:
    fields = [f.name for f in ProductionRecord._meta.fields if f.name in RecordOut.model_fields]
    data = {name: getattr(record, name) for name in fields}
    data.update(
        id=record.pk,
        enterprise=record.enterprise_id,
        facility=record.facility_id,
        month=record.month.strftime("%Y-%m"),
        area_m2=record.area_m2,
        chrome_free_share=record.chrome_free_share,
    )
    return data


def wastewater_test_out(test: WastewaterTest) -> dict[str, Any]:
    return {
        "id": test.pk,
        "enterprise": test.enterprise_id,
        "facility": test.facility_id,
        "sampled_on": test.sampled_on,
        "cycle": test.cycle.code,
        "laboratory": test.laboratory,
        "report_number": test.report_number,
        "discharge": test.discharge,
        "total_cr_mg_l": test.total_cr_mg_l,
        "cr6_mg_l": test.cr6_mg_l,
        "cod_mg_l": test.cod_mg_l,
        "compliant": test.compliant,
        "exceeded": list(test.exceeded),
    }


def grade_out(grade: selectors.FirmGrade, user: Any) -> dict[str, Any]:
    from clusterbrain.green import permissions

    confidential = permissions.can_view(user, grade.enterprise)
    return {
        "enterprise": registry_schemas.enterprise_ref(grade.enterprise),
        "year": grade.year,
        "industry": grade.industry,
        "industry_name": grade.industry_name,
        "months": grade.months,
        "emissions_t": grade.emissions_t if confidential else None,
        "value_added": grade.value_added if confidential else None,
        "intensity": grade.intensity if confidential else None,
        "benchmark": grade.benchmark,
        "ratio": grade.ratio if confidential else None,
        "grade": grade.grade,
        "level": grade.level if confidential else None,
        "peers": grade.peers,
        "published": grade.published,
    }


def _firm(enterprise_id: int) -> Any:
    return registry_selectors.get_enterprise(enterprise_id)


# --- a firm's records, tests, value added and grade ------------------------------------------


class GradeQuery(Schema):
    year: int | None = Field(None, ge=1, le=9999)


@router.get(
    "/enterprises/{enterprise_id}/green/records",
    response={200: list[RecordOut], **ERRORS},
    auth=WRITE_AUTH,
)
def list_records(
    request: HttpRequest, enterprise_id: int, query: Query[GradeQuery]
) -> list[dict[str, Any]]:
    """The firm's monthly records, newest first (optionally of one year)."""
    rows = selectors.records_of(_firm(enterprise_id), _user(request), query.year)
    return [record_out(r) for r in rows]


@router.post(
    "/enterprises/{enterprise_id}/green/records",
    response={201: RecordOut, **ERRORS},
    auth=WRITE_AUTH,
)
def create_record(
    request: HttpRequest, enterprise_id: int, payload: RecordIn
) -> Status[dict[str, Any]]:
    """A month's record of a site (energy in tce and CO₂e are computed)."""
    record = services.save_record(_user(request), _firm(enterprise_id), payload.model_dump())
    return Status(201, record_out(record))


class ImportIn(Schema):
    dry_run: bool = Field(False, description="Check the file as if imported; save nothing")


class ImportOut(Schema):
    rows: int
    created: int = Field(description="New records (a site and month not recorded before)")
    replaced: int = Field(description="Records whose figures the file replaced")
    dry_run: bool


@router.post(
    "/enterprises/{enterprise_id}/green/records/import",
    response={200: ImportOut, 201: ImportOut, **ERRORS},
    auth=WRITE_AUTH,
)
def import_records(
    request: HttpRequest,
    enterprise_id: int,
    payload: Form[ImportIn],
    file: UploadedFile = File(...),  # noqa: B008 - ninja's parameter marker
) -> Status[dict[str, Any]]:
    """multipart/form-data: a CSV (UTF-8 or GBK) or XLSX file of monthly records with the
    template's columns (GET /green/records/template.csv). Every row is written or none: a
    file with problems is refused (422) with each one named by row and field
    (`loc` = ["row", n, field]) or by column (`loc` = ["header", column]). 201 when imported,
    200 for a `dry_run`."""
    user, firm = _user(request), _firm(enterprise_id)
    services.check_import(user, firm, file.size or 0)
    result = services.import_file(
        user, firm, file.read(), file.name or "upload", dry_run=payload.dry_run
    )
    return Status(200 if result.dry_run else 201, result.__dict__)


@router.get("/green/records/{record_id}", response={200: RecordOut, **ERRORS}, auth=WRITE_AUTH)
def get_record(request: HttpRequest, record_id: int) -> dict[str, Any]:
    return record_out(selectors.get_record(record_id, _user(request)))


@router.patch("/green/records/{record_id}", response={200: RecordOut, **ERRORS}, auth=WRITE_AUTH)
def update_record(request: HttpRequest, record_id: int, payload: RecordPatch) -> dict[str, Any]:
    """Change a record: the fields sent replace the record's (unsent ones are kept)."""
    user = _user(request)
    record = selectors.get_record(record_id, user)
    data = payload.model_dump(exclude_unset=True)
    return record_out(services.save_record(user, record.enterprise, data, record))


@router.delete("/green/records/{record_id}", response={204: None, **ERRORS}, auth=WRITE_AUTH)
def delete_record(request: HttpRequest, record_id: int) -> Status[None]:
    user = _user(request)
    services.delete_record(user, selectors.get_record(record_id, user))
    return Status(204, None)


@router.get(
    "/enterprises/{enterprise_id}/green/tests",
    response={200: list[WastewaterTestOut], **ERRORS},
    auth=WRITE_AUTH,
)
def list_tests(request: HttpRequest, enterprise_id: int) -> list[dict[str, Any]]:
    return [
        wastewater_test_out(t) for t in selectors.tests_of(_firm(enterprise_id), _user(request))
    ]


@router.post(
    "/enterprises/{enterprise_id}/green/tests",
    response={201: WastewaterTestOut, **ERRORS},
    auth=WRITE_AUTH,
)
def create_test(
    request: HttpRequest, enterprise_id: int, payload: WastewaterTestIn
) -> Status[dict[str, Any]]:
    """A wastewater test; `compliant` and `exceeded` judge it against GB 30486-2013."""
    data = payload.model_dump()
    data["sampled_on"] = data["sampled_on"].isoformat()
    test = services.add_test(_user(request), _firm(enterprise_id), data)
    return Status(201, wastewater_test_out(test))


@router.delete("/green/tests/{test_id}", response={204: None, **ERRORS}, auth=WRITE_AUTH)
def delete_test(request: HttpRequest, test_id: int) -> Status[None]:
    user = _user(request)
    services.delete_test(user, selectors.get_test(test_id, user))
    return Status(204, None)


@router.get(
    "/enterprises/{enterprise_id}/green/cycle",
    response={200: CycleOut, **ERRORS},
    auth=WRITE_AUTH,
)
def firm_cycle(request: HttpRequest, enterprise_id: int) -> dict[str, Any]:
    """Where the firm stands in the current ZDHC wastewater testing cycle."""
    view = selectors.firm_green(_firm(enterprise_id), _user(request))
    status = view.cycle
    return {
        "cycle": status.cycle.code,
        "starts": status.cycle.start,
        "ends": status.cycle.end,
        "state": status.state,
        "last_sample": status.last_sample,
        "days_left": status.days_left,
    }


@router.put(
    "/enterprises/{enterprise_id}/green/years/{year}",
    response={200: GradeOut | None, **ERRORS},
    auth=WRITE_AUTH,
)
def set_year(
    request: HttpRequest, enterprise_id: int, year: int, payload: YearIn
) -> dict[str, Any] | None:
    """The firm's value added of a year and whether it publishes the grade; returns the grade."""
    user = _user(request)
    firm = _firm(enterprise_id)
    services.set_carbon_year(user, firm, year, payload.model_dump())
    grade = selectors.firm_grade(firm, user, year)
    return grade_out(grade, user) if grade else None


@router.get(
    "/enterprises/{enterprise_id}/green/grade",
    response={200: GradeOut | None, **READ_ERRORS},
    auth=READ_AUTH,
)
def firm_grade(
    request: HttpRequest, enterprise_id: int, query: Query[GradeQuery]
) -> dict[str, Any] | None:
    """The firm's carbon-efficiency grade: its own users and the office see it with its
    figures; anyone sees a published grade (grade and benchmark only); otherwise 404."""
    user = _user(request)
    grade = selectors.firm_grade(_firm(enterprise_id), user, query.year)
    return grade_out(grade, user) if grade else None


# --- the cluster -----------------------------------------------------------------------------


@router.get("/clusters/{slug}/green", response={200: FiguresOut, **READ_ERRORS}, auth=READ_AUTH)
def cluster_figures(request: HttpRequest, slug: str) -> dict[str, Any]:
    """The cluster's green figures; those resting on fewer than k firms are null with
    `*_suppressed` true, except for the cluster's office and admins."""
    cluster = registry_selectors.get_cluster(slug)
    f = selectors.figures(cluster, _user(request))
    return {
        "cluster": cluster.slug,
        "by_year": [y.__dict__ for y in f.by_year],
        "output_by_year": [o.__dict__ for o in f.output_by_year],
        "tests": f.tests,
        "compliance_rate": f.compliance_rate,
        "compliance_suppressed": f.compliance_suppressed,
        "cycle": f.cycle.code,
        "expected_firms": f.expected_firms,
        "tested_firms": f.tested_firms,
        "tested_share": f.tested_share,
        "cycle_suppressed": f.cycle_suppressed,
        "lwg": f.lwg,
        "lwg_firms": f.lwg_firms,
        "green_factories": f.green_factories,
        "grade_year": f.grade_year,
        "grade_distribution": f.grade_distribution,
        "grades_suppressed": f.grades_suppressed,
        "min_firms": f.min_firms,
    }


@router.get(
    "/clusters/{slug}/green/grades", response={200: GradeTableOut, **ERRORS}, auth=WRITE_AUTH
)
def cluster_grades(request: HttpRequest, slug: str, query: Query[GradeQuery]) -> dict[str, Any]:
    """Every firm's grade of a year with its figures: the cluster's office and admins (403)."""
    user = _user(request)
    table = selectors.cluster_grades(registry_selectors.get_cluster(slug), user, query.year)
    return {
        "year": table.year,
        "years": table.years,
        "grades": [grade_out(g, user) for g in table.grades],
    }


@router.get("/green/factors", response=FactorsOut, auth=READ_AUTH)
def emission_factors(request: HttpRequest) -> dict[str, Any]:
    """The emission factors CO₂e is computed with, and where each comes from."""
    return {
        "t_co2_per_kwh": factors.T_CO2_PER_KWH,
        "t_co2_per_t_coal": factors.T_CO2_PER_T_COAL,
        "t_co2_per_m3_gas": factors.T_CO2_PER_M3_GAS,
        "t_co2_per_t_diesel": factors.T_CO2_PER_T_DIESEL,
        "t_co2_per_gj_steam": factors.T_CO2_PER_GJ_STEAM,
        "sources": factors.SOURCES,
    }
