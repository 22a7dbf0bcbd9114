"""Registry stewardship through the services, the API and the CLI, on a real database: staging
writes nothing to the registry; commit resolves rows (USCC, model, new); review; provenance and
precedence; merges and their undoing; duplicate flags; who may do what."""

from __future__ import annotations

import datetime
import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

import factories
from clusterbrain.accounts.models import Role
from clusterbrain.errors import Forbidden, InvalidInput
from clusterbrain.registry import services, stewardship
from clusterbrain.registry.models import (
    Enterprise,
    EnterpriseAlias,
    FieldSource,
    ImportBatch,
    MatchCandidate,
    MergeEvent,
    SourceRecord,
)

pytestmark = pytest.mark.django_db

HEADERS = ["企业名称", "统一社会信用代码", "地址", "法定代表人", "联系电话", "主营产品"]


def csv_of(rows: list[list[str]], encoding: str = "utf-8") -> bytes:
    text = io.StringIO()
    import csv

    writer = csv.writer(text)
    writer.writerow(HEADERS)
    writer.writerows(rows)
    return text.getvalue().encode(encoding)


@pytest.fixture(autouse=True)
def _english():
    """Messages are asserted in English (the catalogue translates them for zh-Hans users)."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def shiling(world):
    """Cluster `a` with firms named as Shiling's are."""
    hongda = factories.enterprise(
        world.a,
        name_zh="广州市花都区狮岭镇鸿达皮具有限公司",
        name_en="Guangzhou Hongda Leather Goods Co., Ltd.",
        address_zh="广州市花都区狮岭镇阳光路18号",
        phone="020-86981234",
        legal_representative="陈志强",
    )
    meijia = factories.enterprise(
        world.a,
        uscc=None,
        name_zh="广州市花都区狮岭镇美嘉箱包厂",
        address_zh="广州市花都区狮岭镇金狮大道东88号",
        phone="13902223344",
        legal_representative="李美华",
    )
    world.hongda, world.meijia = hongda, meijia
    return world


def stage(user, cluster, rows, **kwargs):
    kwargs.setdefault("source_name", "花都区市场监管局名录")
    kwargs.setdefault("source_kind", "registry")
    return stewardship.stage_import(
        user, cluster, content=csv_of(rows), file_name="list.csv", **kwargs
    )


def registry_state() -> tuple[int, int, int, int]:
    return (
        Enterprise.all_objects.count(),
        FieldSource.objects.count(),
        EnterpriseAlias.objects.count(),
        MergeEvent.objects.count(),
    )


def test_staging_previews_without_writing_the_registry(shiling) -> None:
    before = registry_state()
    new_uscc = factories.new_uscc()
    preview = stage(
        shiling.users.association,
        shiling.a,
        [
            ["鸿达皮具厂", shiling.hongda.uscc, "狮岭镇阳光路18号", "陈志强", "", "女包"],
            [
                "广州市花都区狮岭镇恒兴五金制品有限公司",
                new_uscc,
                "狮岭镇合成村",
                "王建国",
                "",
                "五金",
            ],
            ["坏代码皮具", "91440101MA59XXXXX0", "", "", "", ""],
        ],
    )
    assert registry_state() == before
    batch = preview.batch
    assert batch.status == ImportBatch.Status.PREVIEW
    assert batch.counts["rows"] == 3 and batch.counts["errors"] == 1
    rows = {r.row_number: r for r in batch.records.all()}
    assert rows[2].resolution == "uscc" and rows[2].candidate_id == shiling.hongda.pk
    assert rows[3].resolution == "new"
    assert rows[4].status == SourceRecord.Status.INVALID
    assert rows[4].problems[0]["field"] == "uscc"


def test_commit_merges_by_uscc_creates_new_firms_and_skips_bad_rows(shiling) -> None:
    new_uscc = factories.new_uscc()
    preview = stage(
        shiling.users.association,
        shiling.a,
        [
            [
                "鸿达皮具厂",
                shiling.hongda.uscc,
                "狮岭镇阳光路18号",
                "陈志强",
                "13800001111",
                "女包",
            ],
            [
                "广州市花都区狮岭镇恒兴五金制品有限公司",
                new_uscc,
                "狮岭镇合成村",
                "王建国",
                "",
                "五金",
            ],
            ["", "", "狮岭镇", "", "", ""],
        ],
    )
    counts = stewardship.commit_import(shiling.users.association, preview.batch)
    assert counts == {"merged": 1, "created": 1, "errors": 1}
    hongda = Enterprise.objects.get(pk=shiling.hongda.pk)
    assert hongda.aliases.filter(name="鸿达皮具厂").exists()
    # the registry's name kept (entered on the platform ranks first), the new phone filled in
    assert hongda.name_zh == "广州市花都区狮岭镇鸿达皮具有限公司"
    new = Enterprise.objects.get(uscc=new_uscc)
    assert new.cluster == shiling.a and new.legal_representative == "王建国"
    assert new.legal_form == Enterprise.LegalForm.LLC
    batch = ImportBatch.objects.get(pk=preview.batch.pk)
    assert batch.status == ImportBatch.Status.COMMITTED
    with pytest.raises(InvalidInput, match="already"):
        stewardship.commit_import(shiling.users.association, batch)


def test_importing_the_same_list_twice_adds_no_firm(shiling) -> None:
    rows = [
        [
            "广州市花都区狮岭镇恒兴五金制品有限公司",
            factories.new_uscc(),
            "狮岭镇合成村",
            "王建国",
            "",
            "",
        ],
        ["狮岭镇金顺鞋材经营部", "", "狮岭镇益群村", "赵金顺", "13711112222", "鞋材"],
    ]
    user = shiling.users.association
    stewardship.commit_import(user, stage(user, shiling.a, rows).batch)
    firms = Enterprise.objects.count()
    second = stage(user, shiling.a, rows).batch
    assert {r.resolution for r in second.records.all()} <= {"uscc", "merge"}
    stewardship.commit_import(user, second)
    assert Enterprise.objects.count() == firms


def test_rows_of_one_list_that_are_one_firm_become_one_firm(shiling) -> None:
    code = factories.new_uscc()
    user = shiling.users.association
    batch = stage(
        user,
        shiling.a,
        [
            ["广州市花都区狮岭镇丰源皮革有限公司", code, "狮岭镇", "周丰", "", ""],
            ["丰源皮革有限公司", code, "狮岭镇", "周丰", "", ""],
        ],
    ).batch
    stewardship.commit_import(user, batch)
    assert Enterprise.objects.filter(uscc=code).count() == 1
    firm = Enterprise.objects.get(uscc=code)
    assert set(firm.source_records.values_list("row_number", flat=True)) == {2, 3}


def test_a_variant_name_without_uscc_is_found_by_the_model(shiling) -> None:
    user = shiling.users.association
    batch = stage(
        user,
        shiling.a,
        [["美嘉箱包有限公司", "", "花都区狮岭镇金狮大道东88号", "李美华", "139-0222-3344", "箱包"]],
        source_name="商会会员名录",
        source_kind="members",
    ).batch
    (row,) = batch.records.all()
    assert row.resolution in ("merge", "review")
    assert row.candidate_id == shiling.meijia.pk
    assert row.match_probability is not None and row.match_probability > 0.6


def test_review_accept_merges_and_reject_creates_a_firm(shiling, settings) -> None:
    # every match goes to a person: no probability reaches an auto-merge threshold above 1
    settings.REGISTRY_LINK_THRESHOLDS = {"default": {"auto_merge": 1.1, "review": 0.05}}
    user = shiling.users.association
    batch = stage(
        user,
        shiling.a,
        [
            ["美嘉箱包有限公司", "", "花都区狮岭镇金狮大道东88号", "李美华", "13902223344", ""],
            ["鸿达皮具", "", "狮岭镇阳光路18号", "陈志强", "", ""],
        ],
    ).batch
    counts = stewardship.commit_import(user, batch)
    assert counts["review"] == 2
    queue, total = stewardship.review_queue(user, shiling.a)
    assert total == 2
    by_firm = {c.enterprise_id: c for c in queue}
    accepted = stewardship.decide(user, by_firm[shiling.meijia.pk], "accept")
    assert accepted.status == MatchCandidate.Status.ACCEPTED
    assert shiling.meijia.aliases.filter(name="美嘉箱包有限公司").exists()
    firms = Enterprise.objects.count()
    stewardship.decide(user, by_firm[shiling.hongda.pk], "reject")
    assert Enterprise.objects.count() == firms + 1
    assert Enterprise.objects.filter(name_zh="鸿达皮具").exists()
    with pytest.raises(InvalidInput, match="already decided"):
        stewardship.decide(user, by_firm[shiling.hongda.pk], "accept")
    with pytest.raises(InvalidInput, match="Unknown decision"):
        stewardship.decide(user, by_firm[shiling.hongda.pk], "maybe")


def test_precedence_registry_over_member_list_and_newer_over_older(shiling) -> None:
    user = shiling.users.association
    firm = factories.enterprise(shiling.a, name_zh="广州市花都区狮岭镇顺发皮具厂", phone="")
    code = firm.uscc

    def import_phone(phone: str, kind: str, day: datetime.date) -> None:
        batch = stage(
            user,
            shiling.a,
            [["顺发皮具厂", code, "", "", phone, ""]],
            source_kind=kind,
            list_date=day,
        ).batch
        stewardship.commit_import(user, batch)

    import_phone("13511110000", "members", datetime.date(2025, 1, 1))
    assert Enterprise.objects.get(pk=firm.pk).phone == "13511110000"
    import_phone("020-36881234", "registry", datetime.date(2024, 6, 1))
    assert Enterprise.objects.get(pk=firm.pk).phone == "020-36881234"  # registry outranks
    import_phone("020-36889999", "registry", datetime.date(2025, 6, 1))
    assert Enterprise.objects.get(pk=firm.pk).phone == "020-36889999"  # newer among equals
    services.update_enterprise(user, Enterprise.objects.get(pk=firm.pk), {"phone": "020-1"})
    import_phone("020-36887777", "registry", datetime.date(2025, 7, 1))
    assert Enterprise.objects.get(pk=firm.pk).phone == "020-1"  # a person's edit ranks first
    fields = {f.field: f for f in stewardship.provenance(user, Enterprise.objects.get(pk=firm.pk))}
    phones = [s.value for s in fields["phone"].sources]
    assert phones[0] == "020-1"
    assert set(phones) >= {"13511110000", "020-36881234", "020-36889999", "020-36887777"}


def test_merging_firms_moves_everything_and_undo_separates_them(shiling) -> None:
    user = shiling.users.association
    a, b = shiling.own, shiling.other
    factories.certification(b, "iso9001")
    roles_a, roles_b = a.roles.count(), b.roles.count()
    years_b = b.years.count()
    purchases_before = set(shiling.leading.purchases.values_list("pk", "supplier_id"))
    event = stewardship.merge_firms(user, a.pk, b.pk, reason="same firm, two licences")
    b_after = Enterprise.all_objects.get(pk=b.pk)
    assert b_after.merged_into_id == a.pk
    assert not Enterprise.objects.filter(pk=b.pk).exists()
    assert a.certifications.filter(kind="iso9001").exists()
    assert a.aliases.filter(name=b.name_zh).exists()
    # a role or year the survivor already has stays with the merged firm
    assert a.roles.count() == roles_a and b_after.roles.count() == roles_b
    assert b_after.years.count() == years_b
    with pytest.raises(InvalidInput, match="already merged"):
        stewardship.merge_firms(user, a.pk, b.pk)
    undo = stewardship.undo_merge(user, event, reason="two firms after all")
    assert undo.kind == MergeEvent.Kind.UNMERGE_FIRMS
    b_back = Enterprise.objects.get(pk=b.pk)
    assert b_back.merged_into_id is None and b_back.uscc == b.uscc
    assert b_back.certifications.filter(kind="iso9001").exists()
    assert not a.aliases.filter(name=b.name_zh).exists()
    assert set(shiling.leading.purchases.values_list("pk", "supplier_id")) == purchases_before
    with pytest.raises(InvalidInput, match="already undone"):
        stewardship.undo_merge(user, MergeEvent.objects.get(pk=event.pk))


def test_merging_takes_the_merged_firms_uscc_when_the_survivor_has_none(shiling) -> None:
    user = shiling.users.association
    code = shiling.hongda.uscc
    event = stewardship.merge_firms(user, shiling.meijia.pk, shiling.hongda.pk)
    assert Enterprise.objects.get(pk=shiling.meijia.pk).uscc == code
    stewardship.undo_merge(user, event)
    assert Enterprise.objects.get(pk=shiling.meijia.pk).uscc is None
    assert Enterprise.objects.get(pk=shiling.hongda.pk).uscc == code


def test_undoing_a_row_merge_makes_the_row_a_firm_of_its_own(shiling) -> None:
    user = shiling.users.association
    batch = stage(user, shiling.a, [["鸿达皮具厂", shiling.hongda.uscc, "", "", "13800001111", ""]])
    stewardship.commit_import(user, batch.batch)
    event = MergeEvent.objects.get(kind=MergeEvent.Kind.RECORD)
    assert Enterprise.objects.get(pk=shiling.hongda.pk).phone == "020-86981234"
    undo = stewardship.undo_merge(user, event, reason="a different workshop")
    hongda = Enterprise.objects.get(pk=shiling.hongda.pk)
    assert not hongda.aliases.filter(name="鸿达皮具厂").exists()
    assert not FieldSource.objects.filter(enterprise=hongda, value="13800001111").exists()
    assert undo.other is not None and undo.other.name_zh == "鸿达皮具厂"
    assert undo.other.uscc is None  # the code stays with the firm that holds it


def test_any_signed_in_user_may_flag_duplicates(shiling) -> None:
    flag = stewardship.flag_duplicate(
        shiling.users.enterprise, shiling.hongda, shiling.meijia.pk, note="同一老板"
    )
    assert flag.kind == MatchCandidate.Kind.FIRMS and flag.status == MatchCandidate.Status.OPEN
    again = stewardship.flag_duplicate(shiling.users.bank, shiling.meijia, shiling.hongda.pk)
    assert again.pk == flag.pk
    with pytest.raises(InvalidInput):
        stewardship.flag_duplicate(shiling.users.enterprise, shiling.hongda, shiling.outsider.pk)
    with pytest.raises(InvalidInput):
        stewardship.flag_duplicate(shiling.users.enterprise, shiling.hongda, shiling.hongda.pk)
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(Forbidden):
        stewardship.flag_duplicate(AnonymousUser(), shiling.hongda, shiling.meijia.pk)
    stewardship.decide(shiling.users.office, flag, "accept")
    assert Enterprise.all_objects.get(pk=max(shiling.hongda.pk, shiling.meijia.pk)).merged_into_id


@pytest.mark.parametrize("who", ["enterprise", "bank", "office_b", "anonymous"])
def test_only_the_clusters_stewards_import_review_and_merge(shiling, who) -> None:
    from django.contrib.auth.models import AnonymousUser

    user = AnonymousUser() if who == "anonymous" else getattr(shiling.users, who)
    before = registry_state()
    with pytest.raises(Forbidden):
        stage(user, shiling.a, [["某皮具厂", "", "", "", "", ""]])
    with pytest.raises(Forbidden):
        stewardship.merge_firms(user, shiling.own.pk, shiling.other.pk)
    with pytest.raises(Forbidden):
        stewardship.review_queue(user, shiling.a)
    with pytest.raises(Forbidden):
        stewardship.export_rows(user, shiling.a)
    assert registry_state() == before
    assert ImportBatch.objects.count() == 0


def test_a_failed_commit_leaves_the_registry_as_it_was(shiling, monkeypatch) -> None:
    user = shiling.users.association
    batch = stage(
        user,
        shiling.a,
        [
            ["广州市花都区狮岭镇甲皮具有限公司", factories.new_uscc(), "", "", "", ""],
            ["广州市花都区狮岭镇乙鞋材有限公司", factories.new_uscc(), "", "", "", ""],
        ],
    ).batch
    before = registry_state()
    real = stewardship.create_from_record
    calls = []

    def fail_on_second(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return real(*args, **kwargs)

    monkeypatch.setattr(stewardship, "create_from_record", fail_on_second)
    with pytest.raises(RuntimeError):
        stewardship.commit_import(user, batch)
    assert registry_state() == before
    assert ImportBatch.objects.get(pk=batch.pk).status == ImportBatch.Status.PREVIEW


# --- API ----------------------------------------------------------------------------------------


def upload(client, slug, content, name="list.csv", **data):
    data.setdefault("source", "会员名录")
    return client.post(
        f"/api/v1/clusters/{slug}/imports",
        {**data, "file": SimpleUploadedFile(name, content)},
    )


def test_api_import_journey(shiling, client_for) -> None:
    client = client_for(shiling.users.association)
    code = factories.new_uscc()
    response = upload(
        client,
        "alpha",
        csv_of(
            [["广州市花都区狮岭镇恒兴五金制品有限公司", code, "狮岭镇", "王建国", "", ""]], "gbk"
        ),
        source_kind="members",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["encoding"] == "gbk" and body["counts"]["new"] == 1
    rows = client.get(f"/api/v1/imports/{body['id']}/rows").json()
    assert rows["rows"][0]["name"] == "广州市花都区狮岭镇恒兴五金制品有限公司"
    committed = client.post(f"/api/v1/imports/{body['id']}/commit")
    assert committed.status_code == 200 and committed.json()["created"] == 1
    firm = Enterprise.objects.get(uscc=code)
    assert firm.is_member
    provenance = client.get(f"/api/v1/enterprises/{firm.pk}/provenance").json()
    names = next(f for f in provenance["fields"] if f["field"] == "name_zh")
    assert names["sources"][0]["source_kind"] == "members"
    assert names["sources"][0]["import_id"] == body["id"]


def test_api_refuses_lists_it_cannot_read_and_stages_nothing(shiling, client_for) -> None:
    client = client_for(shiling.users.association)
    png = upload(client, "alpha", b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, name="list.csv")
    assert png.status_code == 422 and png.json()["errors"][0]["loc"] == ["file"]
    no_name = upload(client, "alpha", "编号,地址\n1,狮岭\n".encode())
    assert no_name.status_code == 422
    assert no_name.json()["errors"][0]["loc"] == ["mapping", ""]
    mapped = upload(
        client,
        "alpha",
        "编号,地址\n某皮具厂,狮岭\n".encode(),
        mapping=json.dumps({"": {"0": "name"}}),
    )
    assert mapped.status_code == 201
    bad_json = upload(client, "alpha", b"a\nb\n", mapping="{nope")
    assert bad_json.status_code == 422 and bad_json.json()["errors"][0]["loc"] == ["mapping"]
    future = upload(client, "alpha", csv_of([["某厂", "", "", "", "", ""]]), list_date="2999-01-01")
    assert future.status_code == 422
    assert ImportBatch.objects.count() == 1


@pytest.mark.parametrize(
    ("who", "status"),
    [("anonymous", 401), ("enterprise", 403), ("bank", 403), ("office_b", 403)],
)
def test_api_stewardship_is_closed_to_others(shiling, client_for, who, status) -> None:
    client = client_for(None if who == "anonymous" else getattr(shiling.users, who))
    assert upload(client, "alpha", csv_of([["某厂", "", "", "", "", ""]])).status_code == status
    assert client.get("/api/v1/clusters/alpha/review").status_code == status
    merge = client.post(
        f"/api/v1/enterprises/{shiling.own.pk}/merge",
        {"other": shiling.other.pk},
        content_type="application/json",
    )
    assert merge.status_code == status
    assert client.get("/api/v1/clusters/alpha/export").status_code == status
    assert not MergeEvent.objects.exists()


def test_api_review_merge_undo_and_export(shiling, client_for) -> None:
    client = client_for(shiling.users.office)
    flag = client_for(shiling.users.enterprise).post(
        f"/api/v1/enterprises/{shiling.hongda.pk}/duplicate-flags",
        {"other": shiling.meijia.pk, "note": "=cmd|' /C calc'!A0"},
        content_type="application/json",
    )
    assert flag.status_code == 201, flag.content
    queue = client.get("/api/v1/clusters/alpha/review").json()
    assert queue["total"] == 1
    decided = client.post(
        f"/api/v1/review/{queue['items'][0]['id']}/decision",
        {"decision": "accept"},
        content_type="application/json",
    )
    assert decided.status_code == 200 and decided.json()["status"] == "accepted"
    merges = client.get("/api/v1/clusters/alpha/merges").json()
    assert merges[0]["kind"] == "firms"
    undone = client.post(
        f"/api/v1/merges/{merges[0]['id']}/undo", {"reason": "no"}, content_type="application/json"
    )
    assert undone.status_code == 201
    factories.enterprise(shiling.a, name_zh='=HYPERLINK("http://x")', name_en="", uscc=None)
    export = client.get("/api/v1/clusters/alpha/export?format=osh")
    assert export.status_code == 200
    text = export.content.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("country,name,address")
    assert "'=HYPERLINK" in text and "\n=HYPERLINK" not in text
    xlsx = client.get("/api/v1/clusters/alpha/export?format=registry&file=xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"


# --- CLI ----------------------------------------------------------------------------------------


def test_cli_import_previews_then_commits(shiling, tmp_path) -> None:
    path = tmp_path / "members.csv"
    code = factories.new_uscc()
    path.write_bytes(
        csv_of([["广州市花都区狮岭镇恒兴五金制品有限公司", code, "", "", "", ""]], "gbk")
    )
    out = io.StringIO()
    args = ["registry", "import", str(path), "--source", "会员名录", "--cluster", "alpha"]
    call_command(*args, "--user", "assoc-a", stdout=out)
    assert "Staged as import" in out.getvalue()
    assert not Enterprise.objects.filter(uscc=code).exists()
    batch = ImportBatch.objects.get()
    out = io.StringIO()
    call_command("registry", "commit", str(batch.pk), "--user", "assoc-a", stdout=out)
    assert "1 new firms" in out.getvalue()
    assert Enterprise.objects.filter(uscc=code).exists()


def test_cli_errors_are_messages(shiling, tmp_path) -> None:
    path = tmp_path / "x.csv"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 20)
    with pytest.raises(CommandError, match="not a table"):
        call_command(
            "registry",
            "import",
            str(path),
            "--source",
            "s",
            "--cluster",
            "alpha",
            "--user",
            "assoc-a",
        )
    with pytest.raises(CommandError, match="steward"):
        call_command(
            "registry",
            "import",
            str(path),
            "--source",
            "s",
            "--cluster",
            "alpha",
            "--user",
            "own-user",
        )
    with pytest.raises(CommandError, match="No such file"):
        call_command("registry", "import", str(tmp_path / "none.csv"), "--source", "s")
    factories.user(Role.ADMIN, username="second-admin", is_superuser=True)
    assert ImportBatch.objects.count() == 0


def test_the_directory_finds_a_firm_by_its_aliases(shiling, client_for) -> None:
    user = shiling.users.association
    stewardship.merge_firms(user, shiling.hongda.pk, shiling.meijia.pk)
    page = client_for(None).get("/c/alpha/firms/", {"q": "美嘉箱包"})
    assert shiling.hongda.name_zh in page.content.decode()
    api = client_for(None).get("/api/v1/clusters/alpha/enterprises", {"q": "美嘉箱包"}).json()
    assert [row["id"] for row in api["items"]] == [shiling.hongda.pk]


def test_accepting_a_pair_whose_firm_was_merged_twice_joins_the_last_survivor(
    shiling, settings
) -> None:
    settings.REGISTRY_LINK_THRESHOLDS = {"default": {"auto_merge": 1.1, "review": 0.05}}
    user = shiling.users.association
    batch = stage(
        user, shiling.a, [["美嘉箱包有限公司", "", "金狮大道东88号", "李美华", "13902223344", ""]]
    ).batch
    stewardship.commit_import(user, batch)
    (candidate,) = stewardship.review_queue(user, shiling.a)[0]
    assert candidate.enterprise_id == shiling.meijia.pk
    stewardship.merge_firms(user, shiling.hongda.pk, shiling.meijia.pk)
    stewardship.merge_firms(user, shiling.other.pk, shiling.hongda.pk)
    stewardship.decide(user, candidate, "accept")
    record = SourceRecord.objects.get(batch=batch)
    assert record.enterprise_id == shiling.other.pk


def test_a_row_is_found_through_another_lists_version_of_the_firm(shiling) -> None:
    """The registry holds the firm's landline; the chamber's list gave its mobile; an exhibition
    list with the mobile only is found through the chamber's row."""
    user = shiling.users.association
    chamber = stage(
        user,
        shiling.a,
        [["鸿达皮具", shiling.hongda.uscc, "", "", "13800001111", ""]],
        source_kind="members",
    ).batch
    stewardship.commit_import(user, chamber)
    expo = stage(
        user,
        shiling.a,
        [["宏达皮具（狮岭）", "", "", "", "138 0000 1111", ""]],
        source_kind="exhibition",
    ).batch
    (row,) = expo.records.all()
    assert row.candidate_id == shiling.hongda.pk
    assert row.resolution in ("merge", "review")
