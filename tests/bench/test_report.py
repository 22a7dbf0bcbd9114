"""Every benchmark writes its results through `bench.report`: its own section of
docs/benchmarks.md, replaced on a rerun, the other benchmarks' sections kept."""

from __future__ import annotations

from pathlib import Path

from bench.report import markdown_table, write_section


def test_a_rerun_replaces_its_section_and_keeps_the_others(tmp_path: Path) -> None:
    out = tmp_path / "docs" / "benchmarks.md"
    write_section(out, "first_bench", "## First\n\nrun 1")
    assert out.read_text().startswith("# Benchmarks\n")
    write_section(out, "second_bench", "## Second\n\nkept")
    write_section(out, "first_bench", "## First\n\nrun 2\n\n")
    text = out.read_text()
    assert text.count("<!-- first_bench:begin -->") == 1
    assert text.count("<!-- first_bench:end -->") == 1
    assert "run 2" in text and "run 1" not in text
    assert "## Second\n\nkept" in text
    # the rewritten section stays where it was, before the one appended after it
    assert text.index("first_bench:begin") < text.index("second_bench:begin")


def test_a_file_written_by_hand_keeps_its_text(tmp_path: Path) -> None:
    out = tmp_path / "benchmarks.md"
    out.write_text("# Benchmarks\n\n## Notes by hand\n\nkept\n")
    write_section(out, "a_bench", "## A\n\nrow")
    write_section(out, "a_bench", "## A\n\nrow again")
    text = out.read_text()
    assert text.startswith("# Benchmarks\n\n## Notes by hand\n\nkept\n")
    assert text.count("<!-- a_bench:begin -->") == 1 and "row again" in text


def test_a_pipe_in_a_cell_does_not_split_it() -> None:
    table = markdown_table(["name", "value"], [["a|b", "1"]])
    assert table.splitlines() == ["| name | value |", "|---|---|", "| a\\|b | 1 |"]
