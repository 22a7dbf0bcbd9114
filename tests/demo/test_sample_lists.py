"""The demo's sample lists: readable by the import, with the problems they are meant to show."""

from __future__ import annotations

import pytest

import factories
from clusterbrain.demo.sample_lists import write_sample_lists
from clusterbrain.registry import importing


@pytest.mark.django_db
def test_sample_lists_read_back_with_their_planted_problems(tmp_path) -> None:
    cluster = factories.cluster(slug="shiling", place_zh="广州市花都区狮岭镇")
    factories.populate(cluster, 40)
    members, suppliers = write_sample_lists(cluster, tmp_path)
    table = importing.read_table(members.read_bytes(), members.name)
    assert table.encoding == "gbk"
    rows = importing.read_rows(table, importing.default_mapping(table))
    bad = [r for r in rows if r.has_errors]
    assert [p["field"] for r in bad for p in r.problems] == ["uscc", "name", "name"]
    assert len(rows) - len(bad) == 25 + 6
    book = importing.read_table(suppliers.read_bytes(), suppliers.name)
    assert [s.name for s in book.sheets] == ["皮具供应商", "Overseas buyer list"]
    mapping = importing.default_mapping(book)
    importing.check_mapping(book, mapping)
    assert all(not r.has_errors for r in importing.read_rows(book, mapping))
    assert write_sample_lists(cluster, tmp_path / "again")[0].read_bytes() == members.read_bytes()
