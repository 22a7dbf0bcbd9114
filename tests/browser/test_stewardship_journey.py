"""Association staff steward the registry in Debian's chromium, in Chinese and in English: the
Registry entry of the nav → upload a workbook of two sheets → its preview → commit the good rows
→ the review queue, one pair accepted with the key "a" and one rejected with "r" (each swapped in
by HTMX, no reload) → a firm's profile with its sources → undo the merge of a row into it.

The workbook's rows resolve by their USCC and the queue's pairs are laid down beforehand, so the
journey does not hang on the linkage model (tests/engines judge it)."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from browsing import CHROMIUM, SCREENSHOTS

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not Path(CHROMIUM).exists(),
        reason=f"Debian chromium is not installed at {CHROMIUM} (apt-get install chromium)",
    ),
]

SOURCE = "狮岭商会会员名录 2025"

TEXT = {
    "zh": {
        "lang": "zh-Hans",
        "registry": "企业名录",
        "accepted": "已接受",
        "rejected": "已驳回",
        "undone": "合并已撤销",
        "sources": "来源",
    },
    "en": {
        "lang": "en",
        "registry": "Registry",
        "accepted": "Accepted:",
        "rejected": "Rejected:",
        "undone": "The merge was undone",
        "sources": "Sources",
    },
}


def shot(page, name: str) -> None:
    page.screenshot(path=str(SCREENSHOTS / f"clusterbrain-registry-{name}.png"), full_page=True)


def workbook(site, path: Path) -> Path:
    """A chamber's workbook of two sheets: members and exhibition sign-ups. Each good row carries
    the USCC of a firm of the cluster, so what it becomes does not hang on the linkage model's
    probabilities (its own tests judge those); one row's code is invalid."""
    from openpyxl import Workbook

    book = Workbook()
    members = book.active
    members.title = "会员"
    members.append(["企业名称", "统一社会信用代码", "地址", "联系电话", "法定代表人"])
    members.append(["自家皮革有限公司", site.own.uscc, "狮岭镇皮革路1号", "020-86000001", "张三"])
    members.append(
        ["广州市花都区狮岭镇共享皮革厂", site.sharing.uscc, "狮岭镇皮革路2号", "", "李四"]
    )
    signups = book.create_sheet("展会报名")
    signups.append(["参展企业", "Company name", "统一社会信用代码", "电话"])
    signups.append(
        ["龙头品牌皮具", "Lead Brand Leather Co., Ltd.", site.leading.uscc, "13912345678"]
    )
    signups.append(["坏代码皮具厂", "", "91440114ABCDEFGH1X", ""])
    book.save(path)
    return path


def review_pairs(site) -> None:
    """Two pairs in the queue: duplicates a firm user reported, and a pair of firms."""
    from clusterbrain.registry.models import MatchCandidate

    MatchCandidate.objects.create(
        cluster=site.a,
        kind=MatchCandidate.Kind.FIRMS,
        enterprise=site.sharing,
        other=site.other,
        match_probability=0.8,
        raised_by=site.users.enterprise,
        note="同一个老板",
    )
    MatchCandidate.objects.create(
        cluster=site.a,
        kind=MatchCandidate.Kind.FIRMS,
        enterprise=site.leading,
        other=site.sharing,
        match_probability=0.7,
    )


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_steward_imports_reviews_and_undoes(site, live_server, browser, tmp_path, lang):
    import factories
    from clusterbrain.registry.models import (
        ImportBatch,
        MatchCandidate,
        MergeEvent,
        SourceRecord,
    )

    text = TEXT[lang]
    server = urlsplit(live_server.url)
    review_pairs(site)
    path = workbook(site, tmp_path / "会员与展会.xlsx")

    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    page = context.new_page()
    requests: list[str] = []
    errors: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.set_default_timeout(20_000)

    page.goto(live_server.url + "/accounts/login/")
    page.fill("input[name=username]", "assoc-a")
    page.fill("input[name=password]", factories.PASSWORD)
    page.click("section.login button[type=submit]")
    page.wait_for_url(live_server.url + "/")
    if lang == "en":
        page.click(".lang-switch button[value=en]")
        page.wait_for_load_state("networkidle")
    assert page.locator("html").get_attribute("lang") == text["lang"]

    # The Registry entry of the cluster's nav, for association staff.
    page.goto(live_server.url + f"/c/{site.a.slug}/")
    page.locator(".cluster-nav").get_by_role("link", name=text["registry"], exact=True).click()
    page.wait_for_url(re.compile(r"/c/alpha/registry/$"))

    # Upload the workbook: read, staged, previewed; nothing in the registry yet.
    page.set_input_files("#upload-form input[name=file]", str(path))
    page.fill("#upload-form input[name=source]", SOURCE)
    page.select_option("#upload-form select[name=source_kind]", "members")
    page.fill("#upload-form input[name=list_date]", "2025-03-01")
    page.click("#upload-form button[type=submit]")
    page.wait_for_url(re.compile(r"/c/alpha/registry/imports/\d+/$"))
    rows = page.locator("#import-rows")
    rows.wait_for()
    table = rows.inner_text()
    names = ("自家皮革有限公司", "广州市花都区狮岭镇共享皮革厂", "龙头品牌皮具", "坏代码皮具厂")
    assert all(name in table for name in names), table
    assert "展会报名" in table  # the sheet of each row
    assert page.locator("#mapping-form select").count() == 9  # 5 + 4 columns
    assert page.locator("#mapping-errors").count() == 0
    assert page.locator("#import-rows .problem--error").count() == 1  # the invalid code
    batch = ImportBatch.objects.get()
    assert batch.status == ImportBatch.Status.PREVIEW
    assert (batch.counts["rows"], batch.counts["errors"], batch.counts["uscc"]) == (4, 1, 3)
    assert not MergeEvent.objects.exists()
    shot(page, f"{lang}-1-preview")

    # The English name column was not recognised (the name was taken by 参展企业): choose it.
    english = page.locator("#mapping-form tr:has(th:has-text('Company name')) select")
    assert english.input_value() == ""
    english.select_option("name_en")
    page.click("#mapping-form button[type=submit]")
    page.locator("#messages .message").wait_for()
    assert "Lead Brand Leather Co., Ltd." in page.inner_text("#import-rows")
    assert (
        page.locator("#mapping-form tr:has(th:has-text('Company name')) select").input_value()
        == "name_en"
    )

    # Commit the good rows: the result, with the way to the review queue.
    page.click("#commit-form button[type=submit]")
    page.locator("#commit-result").wait_for()
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.COMMITTED
    assert MergeEvent.objects.filter(kind=MergeEvent.Kind.RECORD).count() == 3
    row_merge = MergeEvent.objects.get(kind=MergeEvent.Kind.RECORD, enterprise=site.own)
    shot(page, f"{lang}-2-committed")
    page.click("#open-review")
    page.wait_for_url(re.compile(r"/c/alpha/registry/review/$"))

    # One pair at a time: "a" accepts it and HTMX brings the next, "r" rejects that one.
    page.evaluate("window.__samePage = true")
    item = page.locator("#review-body [data-review-item]")
    first = item.get_attribute("data-review-item")
    assert page.locator("#key-legend kbd").count() >= 3
    shot(page, f"{lang}-3-review")
    page.keyboard.press("a")
    page.locator(f"#messages .message:has-text('{text['accepted']}')").wait_for()
    page.wait_for_function(
        "id => { const el = document.querySelector('#review-body [data-review-item]');"
        " return el && el.getAttribute('data-review-item') !== id; }",
        arg=first,
    )
    second = item.get_attribute("data-review-item")
    page.keyboard.press("r")
    page.locator(f"#messages .message:has-text('{text['rejected']}')").wait_for()
    assert page.evaluate("window.__samePage") is True  # swapped by HTMX, no reload
    accepted = MatchCandidate.objects.get(pk=first)
    rejected = MatchCandidate.objects.get(pk=second)
    assert accepted.status == MatchCandidate.Status.ACCEPTED
    assert rejected.status == MatchCandidate.Status.REJECTED
    shot(page, f"{lang}-4-decided")

    # The firm the first row was merged into: its sources (loaded into the profile), then undo
    # the row's merge from the profile's merge history.
    page.goto(live_server.url + f"/firms/{site.own.pk}/")
    sources = page.locator("#registry-sources #provenance-table")
    sources.wait_for()
    assert text["sources"] in page.inner_text("#registry-sources h2")
    assert SOURCE in sources.inner_text() and "020-86000001" in sources.inner_text()
    assert "自家皮革有限公司" in page.inner_text("#alias-list")
    shot(page, f"{lang}-5-sources")
    undo = page.locator(f"#firm-merges tr[data-merge='{row_merge.pk}'] .undo-form")
    undo.locator("input[name=reason]").fill("wrong USCC on the list")
    undo.locator("button[type=submit]").click()
    page.locator(f"#messages .message:has-text('{text['undone']}')").wait_for()
    page.wait_for_url(re.compile(rf"/firms/{site.own.pk}/$"))
    row_merge.refresh_from_db()
    assert row_merge.undone_by is not None
    assert row_merge.undone_by.reason == "wrong USCC on the list"
    record = SourceRecord.objects.get(pk=row_merge.record_id)
    assert record.enterprise_id != site.own.pk  # the row is a firm of its own again
    page.locator("#registry-sources #provenance-table").wait_for()
    assert page.locator(f"#firm-merges tr[data-merge='{row_merge.pk}'] .undo-form").count() == 0
    shot(page, f"{lang}-6-undone")

    context.close()
    assert not errors, errors
    outside = [
        url
        for url in requests
        if urlsplit(url).scheme in ("http", "https", "ws", "wss")
        and urlsplit(url).hostname not in (server.hostname, "localhost", "127.0.0.1")
    ]
    assert not outside, outside
