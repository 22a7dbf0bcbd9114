"""Every write of support programs and applications: validation, permissions, transactions.

CONTRACT (pages, API; each raises errors.InvalidInput naming every field, Forbidden or NotFound,
and changes nothing when it raises):

    save_program(user, cluster, data, program=None) -> SupportProgram
        the office (or association staff, drafts only); the eligibility rule is compiled
        against the profile fields: an error names the line, column and profile field
    set_program_status(user, program, status) -> SupportProgram      the office: open / close
    start_application(user, program, data) -> Application            a firm's user, if eligible
    update_application(user, application, data) -> Application       while a draft
    upload_document(user, application, key, upload) -> ApplicationDocument
        the type read from the content (magic bytes), the size against the program's limit
    remove_document(user, application, key) -> None
    submit_application(user, application) -> Application
        eligible now, every required document present; freezes profile and verdict
    withdraw_application(user, application, note="") -> Application
    reopen_application(user, application) -> Application             a withdrawn one, back to draft
    record_status(application, user, new_status, note="") -> ApplicationEvent
        the one way an application's status changes (also for the awards app); in the
        caller's transaction; checks the transition, not the caller's permission

`data` holds fields by name (strings from forms, JSON values from the API).
"""

from __future__ import annotations

import datetime
import hashlib
import zipfile
from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import IO, Any

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clusterbrain.errors import FieldError, Forbidden, InvalidInput, NotFound
from clusterbrain.programs import permissions
from clusterbrain.programs.eligibility import (
    compile_for,
    failing_message,
    verdict_snapshot,
)
from clusterbrain.programs.models import (
    DOCUMENT_TYPES,
    Application,
    ApplicationDocument,
    ApplicationEvent,
    ProgramCriterion,
    ProgramDocument,
    SupportProgram,
)
from clusterbrain.programs.profiles import profile_of
from clusterbrain.registry.models import Cluster
from clusterbrain.registry.services import _as_date, _Problems, _reject_unknown

S = Application.Status
P = SupportProgram.Status
MAX_AMOUNT = Decimal("99999999999999")
# What a program form or PATCH sets directly; criteria and documents come as lists of rows.
PROGRAM_SCALAR_FIELDS = (
    "code",
    "name_zh",
    "name_en",
    "description_zh",
    "description_en",
    "budget",
    "max_award",
    "period_start",
    "period_end",
    "applications_open",
    "applications_close",
    "eligibility_rule",
)
PROGRAM_FIELDS = frozenset({*PROGRAM_SCALAR_FIELDS, "criteria", "documents"})
CRITERION_FIELDS = frozenset({"key", "name_zh", "name_en", "weight", "max_score"})
DOCUMENT_FIELDS = frozenset(
    {"key", "name_zh", "name_en", "allowed_types", "max_size_mb", "required"}
)
APPLICATION_FIELDS = frozenset({"requested_amount", "project"})
MAX_DOCUMENT_MB = 50
RESERVED_CODES = frozenset({"new", "rule-check"})  # page addresses beside the programs'


# Which status may follow which. Review moves submitted → under_review → awarded/rejected (the
# awards app); a firm withdraws anything not yet decided and may take a withdrawn one back to
# a draft while the program is open.
TRANSITIONS: dict[str, frozenset[str]] = {
    S.DRAFT: frozenset({S.SUBMITTED, S.WITHDRAWN}),
    S.SUBMITTED: frozenset({S.UNDER_REVIEW, S.AWARDED, S.REJECTED, S.WITHDRAWN}),
    S.UNDER_REVIEW: frozenset({S.AWARDED, S.REJECTED, S.WITHDRAWN, S.SUBMITTED}),
    S.AWARDED: frozenset(),
    S.REJECTED: frozenset(),
    S.WITHDRAWN: frozenset({S.DRAFT}),
}


def _today() -> datetime.date:
    return timezone.localdate()


def _raise(errors: list[FieldError]) -> None:
    if errors:
        detail = errors[0].msg if len(errors) == 1 else _("Check the fields below.")
        raise InvalidInput(detail, errors)


def _text(
    problems: _Problems, loc: str | tuple[str | int, ...], value: Any, max_length: int
) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        problems.add(loc, _("Enter the value as text."))
        return ""
    text = value.strip()
    if "\x00" in text:
        problems.add(loc, _("The text contains characters that cannot be stored."))
        return ""
    if len(text) > max_length:
        problems.add(loc, _("Enter at most %(limit)s characters.") % {"limit": max_length})
    return text


def _money(
    problems: _Problems, loc: str | tuple[str | int, ...], value: Any, *, required: bool
) -> Decimal | None:
    if value is None or value == "":
        if required:
            problems.add(loc, _("This field is required."))
        return None
    if isinstance(value, bool):
        problems.add(loc, _("Enter an amount in yuan."))
        return None
    try:
        amount = Decimal(str(value).replace(",", "").strip())
    except (InvalidOperation, ValueError):
        problems.add(loc, _("Enter an amount in yuan."))
        return None
    if not amount.is_finite():
        problems.add(loc, _("Enter an amount in yuan."))
        return None
    if amount < 0:
        problems.add(loc, _("Enter an amount of at least 0."))
        return None
    if amount > MAX_AMOUNT:
        problems.add(loc, _("Enter a smaller amount."))
        return None
    if amount != amount.quantize(Decimal("0.01")):
        problems.add(loc, _("Enter the amount to the fen (two decimals at most)."))
        return None
    return amount.quantize(Decimal("0.01"))


def _positive_int(
    problems: _Problems, loc: tuple[str | int, ...], value: Any, default: int, maximum: int
) -> int:
    if value is None or value == "":
        return default
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        problems.add(loc, _("Enter a whole number."))
        return default
    if not 1 <= number <= maximum:
        problems.add(loc, _("Enter a number from 1 to %(max)s.") % {"max": maximum})
        return default
    return number


def _as_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in ("1", "true", "on", "yes")


# --- programs --------------------------------------------------------------------------------


def _criteria(value: Any, problems: _Problems) -> list[ProgramCriterion]:
    if not isinstance(value, Sequence) or isinstance(value, str):
        problems.add("criteria", _("Give the criteria as a list."))
        return []
    found: list[ProgramCriterion] = []
    keys: set[str] = set()
    for i, row in enumerate(value):
        if not isinstance(row, Mapping):
            problems.add(("criteria", i), _("Give each criterion as an object."))
            continue
        for extra in set(row) - CRITERION_FIELDS:
            problems.add(("criteria", i, str(extra)), _("Unknown field."))
        key = _text(problems, ("criteria", i, "key"), row.get("key"), 40)
        if not key or not key.replace("_", "").replace("-", "").isalnum() or not key.isascii():
            problems.add(("criteria", i, "key"), _("Enter a key of letters, digits, - and _."))
        elif key in keys:
            problems.add(("criteria", i, "key"), _("This key is used twice."))
        keys.add(key)
        name_zh = _text(problems, ("criteria", i, "name_zh"), row.get("name_zh"), 200)
        name_en = _text(problems, ("criteria", i, "name_en"), row.get("name_en"), 200)
        if not name_zh and not name_en:
            problems.add(("criteria", i, "name_zh"), _("Name the criterion."))
        weight = _money(problems, ("criteria", i, "weight"), row.get("weight"), required=True)
        if weight is not None and weight > 1000:
            problems.add(("criteria", i, "weight"), _("Enter a weight of at most 1000."))
        max_score = _positive_int(
            problems, ("criteria", i, "max_score"), row.get("max_score"), 10, 1000
        )
        found.append(
            ProgramCriterion(
                key=key,
                name_zh=name_zh or name_en,
                name_en=name_en,
                weight=weight or Decimal(0),
                max_score=max_score,
                position=i,
            )
        )
    return found


def _documents(value: Any, problems: _Problems) -> list[ProgramDocument]:
    if not isinstance(value, Sequence) or isinstance(value, str):
        problems.add("documents", _("Give the documents as a list."))
        return []
    found: list[ProgramDocument] = []
    keys: set[str] = set()
    for i, row in enumerate(value):
        if not isinstance(row, Mapping):
            problems.add(("documents", i), _("Give each document as an object."))
            continue
        for extra in set(row) - DOCUMENT_FIELDS:
            problems.add(("documents", i, str(extra)), _("Unknown field."))
        key = _text(problems, ("documents", i, "key"), row.get("key"), 40)
        if not key or not key.replace("_", "").replace("-", "").isalnum() or not key.isascii():
            problems.add(("documents", i, "key"), _("Enter a key of letters, digits, - and _."))
        elif key in keys:
            problems.add(("documents", i, "key"), _("This key is used twice."))
        keys.add(key)
        name_zh = _text(problems, ("documents", i, "name_zh"), row.get("name_zh"), 200)
        name_en = _text(problems, ("documents", i, "name_en"), row.get("name_en"), 200)
        if not name_zh and not name_en:
            problems.add(("documents", i, "name_zh"), _("Name the document."))
        types = row.get("allowed_types")
        if isinstance(types, str):
            types = [t.strip().lower() for t in types.replace(";", ",").split(",") if t.strip()]
        if not isinstance(types, Sequence) or not types:
            problems.add(
                ("documents", i, "allowed_types"),
                _("Choose at least one file type (%(types)s).")
                % {"types": ", ".join(DOCUMENT_TYPES)},
            )
            types = []
        else:
            types = [str(t).lower() for t in types]
            unknown = [t for t in types if t not in DOCUMENT_TYPES]
            if unknown:
                problems.add(
                    ("documents", i, "allowed_types"),
                    _("Unknown file type %(type)s; choose from %(types)s.")
                    % {"type": ", ".join(unknown), "types": ", ".join(DOCUMENT_TYPES)},
                )
        max_mb = _positive_int(
            problems, ("documents", i, "max_size_mb"), row.get("max_size_mb"), 10, MAX_DOCUMENT_MB
        )
        found.append(
            ProgramDocument(
                key=key,
                name_zh=name_zh or name_en,
                name_en=name_en,
                allowed_types=sorted(set(types), key=list(DOCUMENT_TYPES).index)
                if all(t in DOCUMENT_TYPES for t in types)
                else [],
                max_size_mb=max_mb,
                required=_as_bool(row.get("required", True)),
                position=i,
            )
        )
    return found


def save_program(
    user: Any, cluster: Cluster, data: Mapping[str, Any], program: SupportProgram | None = None
) -> SupportProgram:
    """Create (program None) or change a program. On a change, fields left out of `data` keep
    their values; `criteria` and `documents`, when given, replace the program's lists (their
    rows may not change once applications exist, see below)."""
    if program is None:
        if not permissions.can_draft_program(user, cluster):
            raise Forbidden(_("Only the cluster office and association staff define programs."))
    else:
        if program.cluster_id != cluster.pk:
            raise NotFound(_("No such program."))
        if not permissions.can_edit_program(user, program):
            raise Forbidden(
                _("Only the cluster office changes a program once it is no longer a draft.")
            )
    problems = _Problems()
    _reject_unknown(data, PROGRAM_FIELDS, problems)
    creating = program is None
    target = program or SupportProgram(cluster=cluster, created_by=user)

    def given(name: str) -> bool:
        return creating or name in data

    if given("code"):
        code = _text(problems, "code", data.get("code"), 64)
        if not code:
            problems.add("code", _("This field is required."))
        elif not code.isascii() or not code.replace("-", "").replace("_", "").isalnum():
            problems.add("code", _("Enter a code of letters, digits, - and _."))
        elif code in RESERVED_CODES:
            problems.add("code", _("This code is reserved; choose another."))
        elif (
            SupportProgram.objects.filter(cluster=cluster, code=code).exclude(pk=target.pk).exists()
        ):
            problems.add("code", _("Another program of the cluster has this code."))
        target.code = code
    for name, limit in (("name_zh", 200), ("name_en", 200)):
        if given(name):
            setattr(target, name, _text(problems, name, data.get(name), limit))
    if given("name_zh") and not target.name_zh and not target.name_en:
        problems.add("name_zh", _("Give the program a name."))
    for name in ("description_zh", "description_en"):
        if given(name):
            setattr(target, name, _text(problems, name, data.get(name), 10_000))
    if given("budget"):
        budget = _money(problems, "budget", data.get("budget"), required=True)
        if budget is not None:
            target.budget = budget
    if given("max_award"):
        target.max_award = _money(problems, "max_award", data.get("max_award"), required=False)
    for name in ("period_start", "period_end", "applications_open", "applications_close"):
        if given(name):
            value = _as_date(name, data.get(name), problems)
            if value is None and name not in problems.fields():
                problems.add(name, _("This field is required."))
            setattr(target, name, value)
    if not problems.fields() & {"period_start", "period_end"} and (
        target.period_end and target.period_start and target.period_end < target.period_start
    ):
        problems.add("period_end", _("The period cannot end before it starts."))
    if not problems.fields() & {"applications_open", "applications_close"} and (
        target.applications_close
        and target.applications_open
        and target.applications_close < target.applications_open
    ):
        problems.add("applications_close", _("Applications cannot close before they open."))
    if (
        target.max_award is not None
        and target.budget is not None
        and target.max_award > target.budget
        and not problems.fields() & {"max_award", "budget"}
    ):
        problems.add("max_award", _("The largest award cannot exceed the budget."))
    if given("eligibility_rule"):
        rule_text = data.get("eligibility_rule") or ""
        if not isinstance(rule_text, str):
            problems.add("eligibility_rule", _("Enter the rule as text."))
        else:
            try:
                compiled = compile_for(cluster, rule_text)
            except InvalidInput as exc:
                problems.errors.extend(exc.errors)
            else:
                target.eligibility_rule = rule_text.strip()
                target.eligibility_canonical = compiled.canonical
    criteria = _criteria(data["criteria"], problems) if "criteria" in data else None
    documents = _documents(data["documents"], problems) if "documents" in data else None
    has_applications = not creating and target.applications.exists()
    renamed: list[ProgramCriterion] = []
    if (
        criteria is not None
        and has_applications
        and target.applications.exclude(status=S.DRAFT).exists()
    ):
        # Reviews score these rows (awards.ReviewScore): replacing them would delete the
        # scores given, and a changed weight or scale would re-weigh reviews already in.
        old_rows = list(target.criteria.all())
        if [(c.key, c.weight, c.max_score) for c in old_rows] != [
            (c.key, c.weight, c.max_score) for c in criteria
        ]:
            problems.add(
                "criteria",
                _(
                    "Applications have been submitted: the criteria's keys, weights and highest "
                    "scores can no longer change (their names can)."
                ),
            )
        else:
            for row, new in zip(old_rows, criteria, strict=True):
                row.name_zh, row.name_en = new.name_zh, new.name_en
            renamed, criteria = old_rows, None
    if has_applications and documents is not None:
        old = {d.key for d in target.documents.all()}
        removed = old - {d.key for d in documents}
        if removed:
            problems.add(
                "documents",
                _("Applications exist: the documents %(keys)s cannot be removed.")
                % {"keys": ", ".join(sorted(removed))},
            )
    _raise(problems.errors)
    with transaction.atomic():
        if not creating and given("budget"):
            _require_budget_covers_ledger(target)
        try:
            target.save()
        except IntegrityError as exc:
            raise InvalidInput.field(
                "code", _("Another program of the cluster has this code.")
            ) from exc
        if renamed:
            ProgramCriterion.objects.bulk_update(renamed, ["name_zh", "name_en"])
        if criteria is not None:
            target.criteria.all().delete()
            for c in criteria:
                c.program = target
            ProgramCriterion.objects.bulk_create(criteria)
        if documents is not None:
            existing = {d.key: d for d in target.documents.all()}
            for d in documents:
                d.program = target
                if d.key in existing:  # keep its uploads
                    d.pk = existing[d.key].pk
                    d.save()
                else:
                    d.save()
            target.documents.exclude(key__in=[d.key for d in documents]).delete()
    return target


def _require_budget_covers_ledger(program: SupportProgram) -> None:
    """A budget is never cut below what the awards ledger has posted from it: the awards
    committed and paid would then exceed the budget. The program's row is locked first, as
    every money write of the ledger does, so a posting cannot slip in between."""
    from clusterbrain.awards.selectors import budget_posted  # awards builds on programs

    SupportProgram.objects.select_for_update().filter(pk=program.pk).first()
    posted = budget_posted(program)
    if program.budget < posted:
        raise InvalidInput.field(
            "budget",
            _(
                "%(posted)s yuan of this program's budget are posted in its ledger (available, "
                "committed or paid); the budget cannot be less."
            )
            % {"posted": f"{posted:,.2f}"},
        )


@transaction.atomic
def set_program_status(user: Any, program: SupportProgram, status: str) -> SupportProgram:
    if not permissions.can_publish_program(user, program):
        raise Forbidden(_("Only the cluster office opens and closes programs."))
    if status not in (P.OPEN, P.CLOSED):
        raise InvalidInput.field("status", _("Choose open or closed."))
    if status == P.OPEN:
        # the profile fields may have changed since the rule was saved
        compile_for(program.cluster, program.eligibility_rule)
        if program.applications_close < _today():
            raise InvalidInput.field(
                "applications_close",
                _("The application window has ended; move its end first."),
            )
    program.status = status
    program.save(update_fields=["status", "updated_at"])
    return program


# --- applications ----------------------------------------------------------------------------


def _require_firm(user: Any, program: SupportProgram) -> None:
    if not permissions.can_apply(user, program):
        raise Forbidden(_("Only a firm of the program's cluster applies, through its own users."))


def _require_window(program: SupportProgram, today: datetime.date | None = None) -> None:
    today = today or _today()
    if program.status != P.OPEN:
        raise InvalidInput.field("program", _("The program is not open for applications."))
    if not program.applications_open <= today <= program.applications_close:
        raise InvalidInput.field(
            "program",
            _("Applications are taken from %(open)s to %(close)s.")
            % {"open": program.applications_open, "close": program.applications_close},
        )


def _check_eligible(program: SupportProgram, enterprise: Any) -> tuple[dict, dict]:
    """The firm's profile and verdict now; InvalidInput listing the failing conditions."""
    rule = compile_for(program.cluster, program.eligibility_rule)
    profile = profile_of(enterprise)
    verdict = rule.evaluate(profile)
    if not verdict.eligible:
        raise failing_message(rule, verdict)
    return profile, verdict_snapshot(rule, verdict)


def _application_fields(
    data: Mapping[str, Any], program: SupportProgram, problems: _Problems, creating: bool
) -> dict[str, Any]:
    _reject_unknown(data, APPLICATION_FIELDS, problems)
    values: dict[str, Any] = {}
    if creating or "requested_amount" in data:
        amount = _money(problems, "requested_amount", data.get("requested_amount"), required=True)
        if amount is not None:
            if amount <= 0:
                problems.add("requested_amount", _("Enter an amount above 0."))
            elif program.max_award is not None and amount > program.max_award:
                problems.add(
                    "requested_amount",
                    _("The program awards at most %(max)s yuan a firm.")
                    % {"max": f"{program.max_award:,.2f}"},
                )
            elif amount > program.budget:
                problems.add(
                    "requested_amount",
                    _("The program's budget is %(budget)s yuan.")
                    % {"budget": f"{program.budget:,.2f}"},
                )
            values["requested_amount"] = amount
    if creating or "project" in data:
        values["project"] = _text(problems, "project", data.get("project"), 10_000)
    return values


def start_application(user: Any, program: SupportProgram, data: Mapping[str, Any]) -> Application:
    _require_firm(user, program)
    _require_window(program)
    enterprise = user.enterprise
    problems = _Problems()
    values = _application_fields(data, program, problems, creating=True)
    _raise(problems.errors)
    _check_eligible(program, enterprise)
    with transaction.atomic():
        if Application.objects.filter(program=program, enterprise=enterprise).exists():
            raise InvalidInput.field("program", _("Your firm has already applied to this program."))
        try:
            with transaction.atomic():
                application = Application.objects.create(
                    program=program, enterprise=enterprise, created_by=user, **values
                )
        except IntegrityError as exc:
            raise InvalidInput.field(
                "program", _("Your firm has already applied to this program.")
            ) from exc
        ApplicationEvent.objects.create(
            application=application, user=user, from_status="", to_status=S.DRAFT
        )
    return application


def _require_own_draft(user: Any, application: Application) -> None:
    if not permissions.can_view_application(user, application):
        raise NotFound(_("No such application."))
    if not permissions.can_act_for(user, application):
        raise Forbidden(_("Only the applicant firm's users change its application."))
    if application.status != S.DRAFT:
        raise InvalidInput.field(
            "status",
            _("Only a draft can be changed; this application is %(status)s.")
            % {"status": S(application.status).label},
        )


@transaction.atomic
def update_application(user: Any, application: Application, data: Mapping[str, Any]) -> Application:
    _require_own_draft(user, application)
    problems = _Problems()
    values = _application_fields(data, application.program, problems, creating=False)
    _raise(problems.errors)
    for name, value in values.items():
        setattr(application, name, value)
    application.save()
    return application


# Magic bytes of the document types; xlsx and docx are ZIP files told apart by their parts.
_MAGIC = (("pdf", b"%PDF-"), ("png", b"\x89PNG\r\n\x1a\n"), ("jpg", b"\xff\xd8\xff"))


def detect_type(stream: IO[bytes]) -> str | None:
    """The document type by content, whatever the file's name says; None when unrecognised."""
    stream.seek(0)
    head = stream.read(8)
    stream.seek(0)
    for kind, magic in _MAGIC:
        if head.startswith(magic):
            return kind
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(stream) as archive:
                names = set(archive.namelist())
        except (zipfile.BadZipFile, OSError, ValueError):
            return None
        finally:
            stream.seek(0)
        if "xl/workbook.xml" in names:
            return "xlsx"
        if "word/document.xml" in names:
            return "docx"
    return None


def _type_names(types: Sequence[str]) -> str:
    return ", ".join(t.upper() for t in types)


def upload_document(
    user: Any, application: Application, key: str, upload: UploadedFile | None
) -> ApplicationDocument:
    """Store `upload` as the application's document `key`, replacing an earlier one."""
    _require_own_draft(user, application)
    document = application.program.documents.filter(key=key or "").first()
    if document is None:
        raise InvalidInput.field(
            "document",
            _("The program asks for no document “%(key)s”.") % {"key": key},
        )
    if upload is None:
        raise InvalidInput.field(
            "file", _("Choose a file for “%(document)s”.") % {"document": document.name}
        )
    size = upload.size or 0
    if size <= 0:
        raise InvalidInput.field(
            "file", _("The file for “%(document)s” is empty.") % {"document": document.name}
        )
    if size > document.max_size_mb * 1024 * 1024:
        raise InvalidInput.field(
            "file",
            _("The file for “%(document)s” is %(size).1f MB; at most %(max)s MB is accepted.")
            % {"document": document.name, "size": size / 1024 / 1024, "max": document.max_size_mb},
        )
    kind = detect_type(upload)
    if kind is None or kind not in document.allowed_types:
        found = kind.upper() if kind else _("not a recognised document type")
        raise InvalidInput.field(
            "file",
            _("The file for “%(document)s” is %(found)s by its content; upload %(types)s.")
            % {
                "document": document.name,
                "found": found,
                "types": _type_names(document.allowed_types),
            },
        )
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    with transaction.atomic():
        old = ApplicationDocument.objects.filter(application=application, document=document).first()
        old_file = old.file if old else None
        if old:
            old.delete()
        stored = ApplicationDocument(
            application=application,
            document=document,
            original_name=(upload.name or "")[-255:],
            file_type=kind,
            content_type=DOCUMENT_TYPES[kind],
            size=size,
            sha256=digest.hexdigest(),
            uploaded_by=user,
        )
        stored.file.save("upload", upload, save=False)
        stored.save()
        if old_file and old_file.name:
            name = old_file.name
            storage = old_file.storage
            transaction.on_commit(
                lambda: storage.delete(name) if name != stored.file.name else None
            )
    return stored


@transaction.atomic
def remove_document(user: Any, application: Application, key: str) -> None:
    _require_own_draft(user, application)
    stored = application.documents.filter(document__key=key).first()
    if stored is None:
        raise InvalidInput.field(
            "document", _("No file was uploaded for “%(key)s”.") % {"key": key}
        )
    name, storage = stored.file.name, stored.file.storage
    stored.delete()
    if name:
        transaction.on_commit(lambda: storage.delete(name))


def missing_documents(application: Application) -> list[ProgramDocument]:
    present = set(application.documents.values_list("document_id", flat=True))
    return [d for d in application.program.documents.all() if d.required and d.pk not in present]


def submit_application(user: Any, application: Application) -> Application:
    _require_own_draft(user, application)
    program = application.program
    _require_window(program)
    missing = missing_documents(application)
    if missing:
        raise InvalidInput(
            _("Upload the required documents first: %(names)s")
            % {"names": ", ".join(d.name for d in missing)},
            [
                FieldError(("documents", d.key), _("“%(name)s” is required.") % {"name": d.name})
                for d in missing
            ],
        )
    profile, verdict = _check_eligible(program, application.enterprise)
    with transaction.atomic():
        application.profile_snapshot = profile
        application.verdict_snapshot = verdict
        application.save(update_fields=["profile_snapshot", "verdict_snapshot", "updated_at"])
        record_status(application, user, S.SUBMITTED)
    return application


def _require_own(user: Any, application: Application) -> None:
    if not permissions.can_view_application(user, application):
        raise NotFound(_("No such application."))
    if not permissions.can_act_for(user, application):
        raise Forbidden(_("Only the applicant firm's users change its application."))


@transaction.atomic
def withdraw_application(user: Any, application: Application, note: str = "") -> Application:
    _require_own(user, application)
    problems = _Problems()
    note = _text(problems, "note", note, 500)
    _raise(problems.errors)
    record_status(application, user, S.WITHDRAWN, note)
    return application


@transaction.atomic
def reopen_application(user: Any, application: Application) -> Application:
    _require_own(user, application)
    _require_window(application.program)
    if application.events.filter(to_status=S.UNDER_REVIEW).exists():
        # Its reviews judged the text and amount it had; a changed draft would reach the
        # decision with them still counted.
        raise InvalidInput.field(
            "status",
            _("This application was withdrawn during review; it cannot become a draft again."),
        )
    record_status(application, user, S.DRAFT)
    return application


def record_status(
    application: Application, user: Any, new_status: str, note: str = ""
) -> ApplicationEvent:
    """Move `application` to `new_status` and log it. The move is a compare-and-set on the
    status the caller read, so two concurrent moves cannot both happen from the same state."""
    if new_status not in S.values:
        raise InvalidInput.field("status", _("Unknown status: %(status)s") % {"status": new_status})
    old = application.status
    if new_status not in TRANSITIONS[old]:
        raise InvalidInput.field(
            "status",
            _("An application that is %(old)s cannot become %(new)s.")
            % {"old": S(old).label, "new": S(new_status).label},
        )
    with transaction.atomic():
        now = timezone.now()
        changes: dict[str, Any] = {"status": new_status, "updated_at": now}
        if new_status == S.SUBMITTED and old == S.DRAFT:
            changes["submitted_at"] = now
        moved = Application.objects.filter(pk=application.pk, status=old).update(**changes)
        if not moved:
            raise InvalidInput.field(
                "status", _("The application was changed meanwhile; reload it and try again.")
            )
        for name, value in changes.items():
            setattr(application, name, value)
        return ApplicationEvent.objects.create(
            application=application,
            user=user if getattr(user, "is_authenticated", False) else None,
            from_status=old,
            to_status=new_status,
            note=note[:500],
        )
