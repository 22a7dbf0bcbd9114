"""The registry stewardship pages through their real URLs: imports (upload, preview, columns,
commit, discard, export), the review queue (one pair at a time and as a list, with HTMX and
without, bulk), the merge log, and on a profile the duplicate flag, the sources and merges of a
firm, and the address of a merged firm. Who may see what: association staff and the cluster
office of the cluster, admins; nobody else."""

from __future__ import annotations

import datetime
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

import factories
from clusterbrain.registry import stewardship
from clusterbrain.registry.models import (
    Enterprise,
    EnterpriseAlias,
    FieldSource,
    ImportBatch,
    MatchCandidate,
    MergeEvent,
    SourceKind,
    SourceRecord,
)

pytestmark = pytest.mark.django_db

ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-Hans"}
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
HX = {"HTTP_HX_REQUEST": "true"}
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00"


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def html(response) -> str:
    return response.content.decode()


def text_of(response) -> str:
    """The page's visible text, roughly: tags dropped, whitespace folded."""
    return " ".join(re.sub(r"<[^>]+>", " ", html(response)).split())


# --- data built with the ORM (what an import and a commit would leave) ---------------------------


def batch_of(cluster, user, *, status=ImportBatch.Status.COMMITTED, **fields) -> ImportBatch:
    values = {
        "source_name": "狮岭商会会员名录",
        "source_kind": SourceKind.MEMBERS,
        "list_date": datetime.date(2025, 3, 1),
        "file_name": "members.csv",
        "file_format": "csv",
        "headers": {"": ["企业名称", "统一社会信用代码", "地址", "联系电话"]},
        "mapping": {"": {"0": "name", "1": "uscc", "2": "address", "3": "phone"}},
        "counts": {"rows": 1},
        **fields,
    }
    return ImportBatch.objects.create(cluster=cluster, status=status, created_by=user, **values)


# As engines.resolution.linkage.explain_pair names the comparisons and their levels.
EXPLANATION = [
    {
        "comparison": "core_name",
        "level": "Exact match",
        "weight": 6.5,
        "left": "自家",
        "right": "自家",
    },
    {"comparison": "location", "level": "Same town", "weight": 1.2},
    {"comparison": "phone_local", "level": "All other comparisons", "weight": -3.1},
]


def row_pair(site, firm, *, name="广州市花都区狮岭镇自家皮革厂", probability=0.82, **values):
    """An imported row waiting for review against `firm`."""
    batch = batch_of(site.a, site.users.association)
    record = SourceRecord.objects.create(
        batch=batch,
        row_number=2,
        name=name,
        address=values.pop("address", "狮岭镇皮革路1号"),
        phone=values.pop("phone", "020-86000001"),
        status=SourceRecord.Status.REVIEW,
        resolution="review",
        candidate=firm,
        match_probability=probability,
        **values,
    )
    return MatchCandidate.objects.create(
        cluster=site.a,
        kind=MatchCandidate.Kind.RECORD,
        record=record,
        enterprise=firm,
        match_probability=probability,
        match_weight=4.6,
        explanation=EXPLANATION,
    )


def firm_pair(site, firm, other, *, probability=0.7, raised_by=None, note=""):
    return MatchCandidate.objects.create(
        cluster=site.a,
        kind=MatchCandidate.Kind.FIRMS,
        enterprise=firm,
        other=other,
        match_probability=probability,
        explanation=EXPLANATION,
        raised_by=raised_by,
        note=note,
    )


def stewards(site):
    return [site.users.association, site.users.office, site.users.admin]


def outsiders(site):
    """Signed-in users who do not steward cluster `a`."""
    return [site.users.enterprise, site.users.bank, site.users.office_b]


def registry_urls(site) -> list[str]:
    slug = site.a.slug
    return [
        reverse("registry-imports", args=[slug]),
        reverse("registry-review", args=[slug]),
        reverse("registry-review", args=[slug]) + "?view=list",
        reverse("registry-review", args=[slug]) + "?status=decided",
        reverse("registry-merges", args=[slug]),
        reverse("registry-export", args=[slug]),
        reverse("firm-registry", args=[site.own.pk]),
    ]


# --- who may see the pages ---------------------------------------------------------------------


def test_every_registry_page_renders_for_stewards_in_both_languages(site):
    pair = row_pair(site, site.own)
    batch = pair.record.batch
    pages = [*registry_urls(site), reverse("registry-import", args=[site.a.slug, batch.pk])]
    for user in stewards(site):
        client = logged_in(user)
        for page in pages:
            for lang, heading in ((ZH, "企业名录"), (EN, "Registry")):
                response = client.get(page, **lang)
                assert response.status_code == 200, (user.username, page, response.status_code)
                if "export" not in page:
                    assert heading in html(response), (user.username, page)


def test_registry_pages_are_refused_to_everyone_else(site):
    pair = row_pair(site, site.own)
    batch = pair.record.batch
    event = stewardship.merge_firms(site.users.association, site.own.pk, site.other.pk)
    slug = site.a.slug
    reads = [*registry_urls(site), reverse("registry-import", args=[slug, batch.pk])]
    writes = [
        reverse("registry-imports", args=[slug]),
        reverse("registry-import-mapping", args=[slug, batch.pk]),
        reverse("registry-import-commit", args=[slug, batch.pk]),
        reverse("registry-import-discard", args=[slug, batch.pk]),
        reverse("registry-review-decide", args=[slug, pair.pk]),
        reverse("registry-review-bulk", args=[slug]),
        reverse("registry-merge-undo", args=[slug, event.pk]),
        reverse("firm-merge", args=[site.own.pk]),
    ]
    for user in outsiders(site):
        client = logged_in(user)
        for page in reads:
            assert client.get(page, **EN).status_code in (403, 404), (user.username, page)
        for page in writes:
            response = client.post(page, {"decision": "accept", "ids": [pair.pk]}, **EN)
            assert response.status_code in (403, 404), (user.username, page)
    anonymous = Client()
    for page in reads + writes:
        response = anonymous.get(page)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    # Nothing was decided, undone or merged by any of them.
    pair.refresh_from_db()
    event.refresh_from_db()
    assert pair.status == MatchCandidate.Status.OPEN and event.undone_by_id is None


def test_registry_nav_entry_only_for_stewards_of_the_cluster(site):
    overview = reverse("cluster-overview", args=[site.a.slug])
    link = f'href="{reverse("registry-imports", args=[site.a.slug])}"'
    for user in stewards(site):
        assert link in html(logged_in(user).get(overview, **EN)), user.username
    for user in outsiders(site):
        assert link not in html(logged_in(user).get(overview, **EN)), user.username
    assert link not in html(Client().get(overview, **EN))
    # The office of cluster b stewards b, not a.
    b_link = f'href="{reverse("registry-imports", args=[site.b.slug])}"'
    assert b_link in html(
        logged_in(site.users.office_b).get(reverse("cluster-overview", args=[site.b.slug]))
    )


def test_an_import_of_another_cluster_is_not_found_under_this_one(site):
    batch = batch_of(site.a, site.users.association)
    client = logged_in(site.users.admin)
    response = client.get(reverse("registry-import", args=[site.b.slug, batch.pk]), **EN)
    assert response.status_code == 404


# --- imports ------------------------------------------------------------------------------------


def gbk_csv(site) -> bytes:
    """A chamber's list as Chinese offices save it: GBK, Chinese headers; each row carries the
    USCC of a firm of the cluster, so it resolves without the linkage model."""
    lines = [
        "企业名称,统一社会信用代码,地址,联系电话",
        f"广州市花都区狮岭镇自家皮革厂,{site.own.uscc},狮岭镇皮革路1号,020-86000001",
        f"共享皮革有限公司,{site.sharing.uscc},狮岭镇皮革路2号,020-86000002",
        "坏代码皮具厂,91440114ABCDEFGH1X,狮岭镇,",
    ]
    return ("\r\n".join(lines) + "\r\n").encode("gbk")


def upload(client, site, content: bytes, name: str, lang=EN, **fields):
    data = {
        "file": SimpleUploadedFile(name, content),
        "source": fields.pop("source", "狮岭商会会员名录 2025"),
        "source_kind": fields.pop("source_kind", "members"),
        "list_date": fields.pop("list_date", "2025-03-01"),
        **fields,
    }
    return client.post(reverse("registry-imports", args=[site.a.slug]), data, **lang)


def test_a_gbk_csv_is_staged_and_previewed_with_its_chinese_names_intact(site):
    client = logged_in(site.users.association)
    response = upload(client, site, gbk_csv(site), "会员名录.csv", lang=ZH)
    batch = ImportBatch.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("registry-import", args=[site.a.slug, batch.pk])
    assert (batch.encoding, batch.status, batch.source_kind) == ("gbk", "preview", "members")

    for lang in (ZH, EN):
        page = client.get(response["Location"], **lang)
        assert page.status_code == 200
        body = html(page)
        assert "广州市花都区狮岭镇自家皮革厂" in body and "共享皮革有限公司" in body
        assert "坏代码皮具厂" in body
    text = text_of(client.get(response["Location"], **EN))
    # The summary, the proposed merges by USCC with their firms, the bad code in red.
    assert "Merge by USCC 2" in text and "With errors 1" in text
    assert "Commit 2 good rows" in text
    assert "Own Leather" in text and "Sharing Leather" in text
    # A row's problems are in the reader's language, whoever uploaded the list.
    assert re.search(
        r'class="problem problem--error"><strong>USCC</strong>: Invalid unified social credit',
        html(page),
    )
    zh_page = html(client.get(response["Location"], **ZH))
    assert re.search(
        r'class="problem problem--error"><strong>[^<]+</strong>: 统一社会信用代码', zh_page
    )
    # Nothing entered the registry.
    assert not FieldSource.objects.exists() and not MergeEvent.objects.exists()


def rows_table(response) -> str:
    """The preview's table of rows (the column editor above it shows sample cells too)."""
    match = re.search(r'<table[^>]*id="import-rows".*?</table>', html(response), re.S)
    return match.group(0) if match else ""


def test_the_preview_filters_rows_with_problems_and_by_action(site):
    client = logged_in(site.users.association)
    location = upload(client, site, gbk_csv(site), "members.csv")["Location"]
    every = rows_table(client.get(location, **EN))
    assert "坏代码皮具厂" in every and "共享皮革有限公司" in every
    only_problems = rows_table(client.get(location + "?problems=1", **EN))
    assert "坏代码皮具厂" in only_problems and "共享皮革有限公司" not in only_problems
    merges = rows_table(client.get(location + "?action=uscc", **EN))
    assert "共享皮革有限公司" in merges and "坏代码皮具厂" not in merges
    errors = rows_table(client.get(location + "?action=errors", **EN))
    assert "坏代码皮具厂" in errors and "共享皮革有限公司" not in errors


def test_a_png_named_csv_is_refused_on_the_form_and_nothing_is_staged(site):
    client = logged_in(site.users.association)
    for lang, expected in ((EN, "This is not a table"), (ZH, "CSV")):
        response = upload(client, site, PNG, "firms.csv", lang=lang)
        assert response.status_code == 422
        body = html(response)
        assert expected in body
        assert 'class="form-alert"' in body
        assert "狮岭商会会员名录 2025" in body  # the form keeps what was typed
    assert not ImportBatch.objects.exists() and not SourceRecord.objects.exists()


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"", "empty.csv", "The file is empty."),
        (b"PK\x03\x04 not really a workbook", "firms.xlsx", "Excel"),
        (b"%PDF-1.4 minutes of the meeting", "minutes.csv", "This is not a table"),
    ],
)
def test_bad_files_show_the_readers_message(site, content, name, message):
    response = upload(logged_in(site.users.office), site, content, name)
    assert response.status_code == 422
    assert message in html(response)
    assert not ImportBatch.objects.exists()


def test_a_file_above_the_limit_is_refused(site, settings):
    settings.REGISTRY_IMPORT_MAX_BYTES = 100
    response = upload(logged_in(site.users.association), site, gbk_csv(site) * 3, "big.csv")
    assert response.status_code == 422
    assert "the limit is" in html(response)
    assert not ImportBatch.objects.exists()


def test_the_source_fields_are_checked(site):
    response = upload(
        logged_in(site.users.association),
        site,
        gbk_csv(site),
        "members.csv",
        source="",
        list_date="2999-01-01",
    )
    assert response.status_code == 422
    assert not ImportBatch.objects.exists()


def test_unrecognised_columns_are_staged_then_chosen_on_the_preview(site):
    """Headers nobody recognises: the page stages the list anyway and asks for the columns; a
    wrong choice is refused with the reason beside the columns; a good one reads the rows."""
    client = logged_in(site.users.association)
    content = (
        "甲,乙,丙\n"
        f"自家皮革厂,{site.own.uscc},狮岭镇皮革路1号\n"
        f"共享皮革有限公司,{site.sharing.uscc},狮岭镇\n"
    ).encode()
    response = upload(client, site, content, "odd.csv")
    assert response.status_code == 302
    batch = ImportBatch.objects.get()
    page = client.get(response["Location"], **EN)
    body = html(page)
    assert 'id="mapping-errors"' in body and "Choose which column holds the name" in body
    assert "Commit 0 good rows" in text_of(page)
    assert re.search(r'<button type="submit" class="button" disabled>', body)

    mapping_url = reverse("registry-import-mapping", args=[site.a.slug, batch.pk])
    refused = client.post(mapping_url, {"map-0-0": "name", "map-0-1": "name"}, **EN)
    assert refused.status_code == 422
    assert "Two columns are read as" in html(refused)
    assert "The columns were not saved." in html(refused)
    batch.refresh_from_db()
    assert batch.mapping == {"": {}}

    saved = client.post(mapping_url, {"map-0-0": "name", "map-0-1": "uscc", "map-0-2": ""}, **EN)
    assert saved.status_code == 302
    batch.refresh_from_db()
    assert batch.mapping == {"": {"0": "name", "1": "uscc"}}
    text = text_of(client.get(saved["Location"], **EN))
    assert "Commit 2 good rows" in text and "Merge by USCC 2" in text
    assert 'id="mapping-errors"' not in html(client.get(saved["Location"], **EN))


def test_commit_writes_the_good_rows_and_shows_the_result(site):
    client = logged_in(site.users.association)
    location = upload(client, site, gbk_csv(site), "members.csv")["Location"]
    batch = ImportBatch.objects.get()
    response = client.post(
        reverse("registry-import-commit", args=[site.a.slug, batch.pk]), follow=True, **EN
    )
    assert response.redirect_chain[-1][0] == location
    text = text_of(response)
    assert "The list was committed: 2 rows merged into firms" in text
    assert "Merged into firms 2" in text and "Left out (errors) 1" in text
    assert reverse("registry-review", args=[site.a.slug]) in html(response)
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.COMMITTED
    assert MergeEvent.objects.filter(kind=MergeEvent.Kind.RECORD).count() == 2
    # The row's name is now an alias of the firm, and its phone a source of the firm's phone.
    assert EnterpriseAlias.objects.filter(enterprise=site.own, name__contains="狮岭镇").exists()
    assert FieldSource.objects.filter(enterprise=site.own, field="phone").exists()
    # Committed once: a second commit is refused with a message, not an error page.
    again = client.post(
        reverse("registry-import-commit", args=[site.a.slug, batch.pk]), follow=True, **EN
    )
    assert again.status_code == 200 and "already" in text_of(again)


def test_discard_leaves_nothing(site):
    client = logged_in(site.users.office)
    upload(client, site, gbk_csv(site), "members.csv")
    batch = ImportBatch.objects.get()
    response = client.post(
        reverse("registry-import-discard", args=[site.a.slug, batch.pk]), follow=True, **EN
    )
    assert response.redirect_chain[-1][0] == reverse("registry-imports", args=[site.a.slug])
    assert "nothing was written" in text_of(response)
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.DISCARDED
    assert not SourceRecord.objects.exists() and not MergeEvent.objects.exists()
    assert "status-tag--discarded" in html(response)  # in the list of imports


def test_the_imports_page_lists_the_lists_and_offers_the_exports(site):
    batch_of(site.a, site.users.association, source_name="花都区市场监管登记", encoding="gbk")
    text = text_of(
        logged_in(site.users.association).get(reverse("registry-imports", args=[site.a.slug]), **EN)
    )
    assert "花都区市场监管登记" in text and "chamber member list" in text and "assoc-a" in text
    assert "Open Supply Hub" in text


@pytest.mark.parametrize("fmt", ["registry", "osh"])
def test_export_as_csv_and_xlsx(site, fmt):
    from openpyxl import load_workbook

    site.own.name_en = '=HYPERLINK("http://evil")'
    site.own.save()
    client = logged_in(site.users.association)
    url = reverse("registry-export", args=[site.a.slug])
    response = client.get(url, {"format": fmt, "file": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert f'filename="alpha-{fmt}.csv"' in response["Content-Disposition"]
    text = response.content.decode("utf-8-sig")
    assert ("企业名称" if fmt == "registry" else "country,name,address") in text
    assert "自家皮革" in text or "'=HYPERLINK" in text
    assert ",=HYPERLINK" not in text and '"=HYPERLINK' not in text
    response = client.get(url, {"format": fmt, "file": "xlsx"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet.max_row == 1 + Enterprise.objects.filter(cluster=site.a).count()
    bad = client.get(url, {"format": "json", "file": "csv"}, **EN)
    assert bad.status_code == 422 and "Unknown format" in html(bad)


# --- the review queue ---------------------------------------------------------------------------


def review_url(site, query: str = "") -> str:
    return reverse("registry-review", args=[site.a.slug]) + query


def decide_url(site, pair) -> str:
    return reverse("registry-review-decide", args=[site.a.slug, pair.pk])


def test_a_pair_is_shown_side_by_side_with_differences_and_weights(site):
    site.own.phone = "020-86000001"
    site.own.save()
    pair = row_pair(site, site.own, phone="13800000000")
    for lang in (ZH, EN):
        response = logged_in(site.users.association).get(review_url(site), **lang)
        assert response.status_code == 200
        body = html(response)
        assert "广州市花都区狮岭镇自家皮革厂" in body and "自家皮革" in body
        assert f'data-review-item="{pair.pk}"' in body
        assert "82%" in body
    body = html(logged_in(site.users.association).get(review_url(site), **EN))
    # Phones differ, the address is the same (build_site gave the firm that address).
    assert re.search(r'pair-row--differs">\s*<th scope="row">Phone', body)
    assert re.search(r'pair-row--same">\s*<th scope="row">Address', body)
    # Weights: the name for (green), the phone against (red), bars sized to the largest.
    assert re.search(r'weight weight--for">\s*<td>Trade name \(字号\)</td>', body)
    assert re.search(
        r'weight weight--against">\s*<td>Phone</td>\s*<td class="small">different', body
    )
    assert 'style="width: 100%"' in body and "-3.10" in body
    assert "狮岭商会会员名录" in body and "2025-03-01" in body  # the row's source and date
    # The keys are explained on the page.
    assert 'id="key-legend"' in body and 'aria-keyshortcuts="a"' in body


def test_accept_by_htmx_merges_the_row_and_brings_the_next_pair(site):
    first = row_pair(site, site.own, probability=0.9)
    second = firm_pair(site, site.sharing, site.other, probability=0.7)
    client = logged_in(site.users.association)
    response = client.post(
        decide_url(site, first), {"decision": "accept", "status": "open", "at": "0"}, **HX, **EN
    )
    assert response.status_code == 200
    body = html(response)
    assert f'data-review-item="{second.pk}"' in body  # the next pair, at the same place
    assert "Accepted:" in body  # the message, for the #messages swap
    assert response["HX-Push-Url"] == review_url(site)
    first.refresh_from_db()
    assert first.status == MatchCandidate.Status.ACCEPTED
    assert first.record.status == SourceRecord.Status.MERGED
    assert first.record.enterprise_id == site.own.pk


def test_reject_by_htmx_keeps_two_firms(site):
    pair = firm_pair(site, site.sharing, site.other)
    client = logged_in(site.users.office)
    response = client.post(decide_url(site, pair), {"decision": "reject"}, **HX, **EN)
    assert response.status_code == 200
    assert "Rejected:" in html(response) and "Nothing to review" in html(response)
    pair.refresh_from_db()
    assert pair.status == MatchCandidate.Status.REJECTED
    assert Enterprise.objects.filter(pk__in=[site.sharing.pk, site.other.pk]).count() == 2


def test_skip_keeps_a_pair_for_later_and_without_htmx_redirects(site):
    pair = firm_pair(site, site.sharing, site.other)
    client = logged_in(site.users.association)
    response = client.post(decide_url(site, pair), {"decision": "skip", "status": "open"}, **EN)
    assert response.status_code == 302 and response["Location"] == review_url(site)
    pair.refresh_from_db()
    assert pair.status == MatchCandidate.Status.SKIPPED
    skipped = html(client.get(review_url(site, "?status=skipped"), **EN))
    assert f'data-review-item="{pair.pk}"' in skipped
    # A decided pair cannot be decided again: a message, not an error page.
    client.post(decide_url(site, pair), {"decision": "reject"}, **EN)
    again = client.post(decide_url(site, pair), {"decision": "accept"}, follow=True, **EN)
    assert again.status_code == 200 and "already decided" in text_of(again)
    decided = text_of(client.get(review_url(site, "?status=decided"), **EN))
    assert "different firms" in decided and "assoc-a" in decided


def test_moving_between_pairs(site):
    pairs = [
        firm_pair(site, site.own, f, probability=p)
        for f, p in ((site.sharing, 0.9), (site.other, 0.8), (site.leading, 0.7))
    ]
    client = logged_in(site.users.association)
    body = html(client.get(review_url(site, "?at=1"), **EN))
    assert f'data-review-item="{pairs[1].pk}"' in body
    assert 'data-nav="prev"' in body and 'data-nav="next"' in body
    assert "Pair 2 of 3" in text_of(client.get(review_url(site, "?at=1"), **EN))
    last = html(client.get(review_url(site, "?at=99"), **EN))  # past the end: the last
    assert f'data-review-item="{pairs[2].pk}"' in last and 'data-nav="next"' not in last


def test_bulk_decisions_report_each_refused_pair(site):
    a = firm_pair(site, site.own, site.sharing, probability=0.9)
    b = firm_pair(site, site.other, site.leading, probability=0.8)
    done = firm_pair(site, site.own, site.leading, probability=0.5)
    done.status = MatchCandidate.Status.REJECTED
    done.save()
    client = logged_in(site.users.association)
    listing = html(client.get(review_url(site, "?view=list"), **EN))
    assert 'form="bulk-form"' in listing and "Accept selected" in listing
    response = client.post(
        reverse("registry-review-bulk", args=[site.a.slug]),
        {"decision": "reject", "ids": [a.pk, b.pk, done.pk, 999999], "view": "list"},
        follow=True,
        **EN,
    )
    text = text_of(response)
    assert response.redirect_chain[-1][0] == review_url(site, "?view=list")
    assert "2 pairs rejected as different firms." in text
    assert f"Pair {done.pk}: This pair was already decided" in text
    assert "Pair 999999: No such review item." in text
    for pair in (a, b):
        pair.refresh_from_db()
        assert pair.status == MatchCandidate.Status.REJECTED
    nothing = client.post(
        reverse("registry-review-bulk", args=[site.a.slug]), {"decision": "accept"}, follow=True
    )
    assert "Select at least one pair" in text_of(nothing) or "至少" in text_of(nothing)


def test_bulk_accept_merges_firms(site):
    pair = firm_pair(site, site.own, site.other)
    client = logged_in(site.users.admin)
    client.post(
        reverse("registry-review-bulk", args=[site.a.slug]),
        {"decision": "accept", "ids": [pair.pk]},
        **EN,
    )
    assert Enterprise.all_objects.get(pk=site.other.pk).merged_into_id == site.own.pk


def test_a_pair_of_another_cluster_cannot_be_decided_here(site):
    outsider_pair = MatchCandidate.objects.create(
        cluster=site.b,
        kind=MatchCandidate.Kind.FIRMS,
        enterprise=site.outsider,
        other=factories.enterprise(site.b),
    )
    response = logged_in(site.users.admin).post(
        reverse("registry-review-decide", args=[site.a.slug, outsider_pair.pk]),
        {"decision": "accept"},
    )
    assert response.status_code == 404


# --- merges, sources, the duplicate flag ---------------------------------------------------------


def profile_url(firm) -> str:
    return reverse("enterprise-profile", args=[firm.pk])


def test_merge_from_the_profile_then_undo_it(site):
    client = logged_in(site.users.association)
    profile = client.get(profile_url(site.own), **EN)
    assert reverse("firm-registry", args=[site.own.pk]) in html(profile)  # the sources, loaded

    response = client.post(
        reverse("firm-merge", args=[site.own.pk]),
        {"other": str(site.other.pk), "reason": "same owner", "next": profile_url(site.own)},
        follow=True,
        **EN,
    )
    assert response.redirect_chain[-1][0] == profile_url(site.own)
    assert "Other Goods was merged into Own Leather" in text_of(response)
    event = MergeEvent.objects.get(kind=MergeEvent.Kind.FIRMS)
    assert (event.enterprise_id, event.other_id, event.reason) == (
        site.own.pk,
        site.other.pk,
        "same owner",
    )

    record = html(client.get(reverse("firm-registry", args=[site.own.pk]), **EN))
    assert "他家皮具" in record  # the merged firm's name, now an alias
    assert f'data-merge="{event.pk}"' in record and "same owner" in record
    assert reverse("registry-merge-undo", args=[site.a.slug, event.pk]) in record

    undone = client.post(
        reverse("registry-merge-undo", args=[site.a.slug, event.pk]),
        {"reason": "different owners after all", "next": profile_url(site.own)},
        follow=True,
        **EN,
    )
    assert undone.redirect_chain[-1][0] == profile_url(site.own)
    assert "The merge was undone" in text_of(undone)
    assert Enterprise.objects.filter(pk=site.other.pk).exists()
    event.refresh_from_db()
    assert event.undone_by is not None
    assert event.undone_by.reason == "different owners after all"
    # Undone once: the log shows it undone, with no second undo button.
    log = html(client.get(reverse("registry-merges", args=[site.a.slug]), **EN))
    assert "undone" in log
    assert reverse("registry-merge-undo", args=[site.a.slug, event.pk]) not in log
    again = client.post(
        reverse("registry-merge-undo", args=[site.a.slug, event.pk]), follow=True, **EN
    )
    assert "already undone" in text_of(again)


def test_a_merge_refused_by_the_service_is_a_message(site):
    client = logged_in(site.users.association)
    response = client.post(
        reverse("firm-merge", args=[site.own.pk]),
        {"other": str(site.outsider.pk)},
        follow=True,
        **EN,
    )
    assert "Only firms of one cluster can be merged." in text_of(response)
    response = client.post(
        reverse("firm-merge", args=[site.own.pk]), {"other": str(site.own.pk)}, follow=True, **EN
    )
    assert "cannot be merged with itself" in text_of(response)
    assert not MergeEvent.objects.exists()


def test_a_merged_firms_address_leads_to_the_firm_it_was_merged_into(site):
    stewardship.merge_firms(site.users.association, site.own.pk, site.other.pk)
    for client in (Client(), logged_in(site.users.bank)):
        response = client.get(profile_url(site.other))
        assert response.status_code == 302 and response["Location"] == profile_url(site.own)
    # Through two merges too; a firm that never existed is still not found.
    stewardship.merge_firms(site.users.association, site.leading.pk, site.own.pk)
    assert Client().get(profile_url(site.other))["Location"] == profile_url(site.leading)
    assert Client().get("/firms/999999/").status_code == 404


def test_sources_show_each_fields_values_with_the_shown_one_marked(site):
    client = logged_in(site.users.association)
    upload(client, site, gbk_csv(site), "members.csv")
    batch = ImportBatch.objects.get()
    client.post(reverse("registry-import-commit", args=[site.a.slug, batch.pk]))
    for lang in (ZH, EN):
        response = client.get(reverse("firm-registry", args=[site.own.pk]), **lang)
        assert response.status_code == 200
    body = html(client.get(reverse("firm-registry", args=[site.own.pk]), **EN))
    assert 'id="provenance-table"' in body
    assert "020-86000001" in body  # the list's phone …
    assert (
        "chamber member list" in body and "狮岭商会会员名录 2025" in body and "2025-03-01" in body
    )
    assert "source-row--shown" in body and "shown" in body
    assert "广州市花都区狮岭镇自家皮革厂" in body  # … and its name as an alias
    # Not for others: the record page is refused, the profile does not load it.
    for user in outsiders(site):
        other = logged_in(user)
        assert other.get(reverse("firm-registry", args=[site.own.pk])).status_code == 403
        assert reverse("firm-registry", args=[site.own.pk]) not in html(
            other.get(profile_url(site.own))
        )


def test_the_duplicate_form_is_for_signed_in_users_only(site):
    assert 'id="duplicate-form"' not in html(Client().get(profile_url(site.own)))
    for user in (site.users.enterprise, site.users.bank, site.users.office_b):
        body = html(logged_in(user).get(profile_url(site.own), **EN))
        assert 'id="duplicate-form"' in body and "Report a duplicate" in body
    response = Client().post(reverse("firm-flag-duplicate", args=[site.own.pk]), {"other": "1"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_firm_user_flags_a_duplicate_that_appears_in_the_queue(site):
    client = logged_in(site.users.enterprise)
    response = client.post(
        reverse("firm-flag-duplicate", args=[site.own.pk]),
        {"other": str(site.other.pk), "note": "同一个老板"},
        **HX,
        **EN,
    )
    assert response.status_code == 200
    assert 'id="duplicate-confirmation"' in html(response)
    assert "will check whether Own Leather and Other Goods are one firm" in text_of(response)
    pair = MatchCandidate.objects.get(kind=MatchCandidate.Kind.FIRMS)
    assert pair.raised_by == site.users.enterprise and pair.note == "同一个老板"
    queue = text_of(logged_in(site.users.association).get(review_url(site), **EN))
    assert "Reported as duplicates by own-user" in queue and "同一个老板" in queue
    # Without HTMX: back to the profile with the message.
    again = client.post(
        reverse("firm-flag-duplicate", args=[site.own.pk]),
        {"other_pick": str(site.other.pk)},
        follow=True,
        **EN,
    )
    assert again.redirect_chain[-1][0] == profile_url(site.own)
    assert "will check whether" in text_of(again)
    assert MatchCandidate.objects.filter(kind=MatchCandidate.Kind.FIRMS).count() == 1


def test_a_bad_duplicate_flag_is_answered_on_the_form(site):
    client = logged_in(site.users.bank)
    for other, message in (
        (str(site.outsider.pk), "Choose another firm of the same cluster"),
        (str(site.own.pk), "cannot be a duplicate of itself"),
        ("", "Choose the other firm"),
    ):
        response = client.post(
            reverse("firm-flag-duplicate", args=[site.own.pk]), {"other": other}, **HX, **EN
        )
        assert response.status_code == 422
        assert message in html(response) and 'class="form-alert"' in html(response)
    assert not MatchCandidate.objects.exists()


def test_the_firm_picker_lists_matching_firms_of_the_cluster(site):
    client = logged_in(site.users.enterprise)
    url = reverse("firm-pick", args=[site.a.slug])
    body = html(client.get(url, {"q": "皮", "exclude": site.own.pk}, **EN))
    assert f'value="{site.sharing.pk}"' in body and f'value="{site.own.pk}"' not in body
    assert f'value="{site.outsider.pk}"' not in body
    assert "No firm of this cluster matches" in html(client.get(url, {"q": "zzzz"}, **EN))
    assert Client().get(url, {"q": "皮"}).status_code == 302
