"""What every benchmark shares to report: writing its own section of docs/benchmarks.md."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path


def markdown_table(headers: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    """A Markdown table; a "|" inside a cell is escaped so it cannot split the cell."""

    def line(cells: Sequence[str]) -> str:
        return "| " + " | ".join(str(c).replace("|", "\\|") for c in cells) + " |"

    return "\n".join([line(headers), "|" + "---|" * len(headers), *map(line, rows)])


def write_section(path: Path, key: str, text: str) -> None:
    """Replace (or append) the section between this benchmark's markers; keep the rest."""
    begin, end = f"<!-- {key}:begin -->", f"<!-- {key}:end -->"
    block = f"{begin}\n{text.rstrip()}\n{end}\n"
    if path.exists():
        content = path.read_text()
    else:
        content = (
            "# Benchmarks\n\nEach section is written by the benchmark named in its markers "
            "(`bench/`); `make bench` runs them all. Performance is reported here, never "
            "asserted in tests.\n\n"
        )
    if begin in content and end in content:
        head, rest = content.split(begin, 1)
        tail = rest.split(end, 1)[1].lstrip("\n")
        content = head + block + ("\n" + tail if tail else "")
    else:
        content = content.rstrip("\n") + "\n\n" + block
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(content)
