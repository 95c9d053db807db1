"""The history's table prints exactly what rich's own Table prints, without its layout."""

from __future__ import annotations

import io
import random

from rich.console import Console
from rich.table import Table

from adapters.cli.long_table import print_table

WORDS = [
    "a", "bb", "ccc", "synthetic", "entry", "x" * 30, "x" * 70, "  ", "corrected", "by",
    "#5001;", "late", "\n", "-", "sw-1", "2012-01-02T09:00",
    "[b]", "[bold]x[/bold]", ":warning:", "a:b", "10:30", "é", "\t", "日本",
]  # fmt: skip


def _rich(title: str | None, columns: list[str], rows: list[list[str]], width: int) -> str:
    out = io.StringIO()
    table = Table(title=title)
    for column in columns:
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(*row)
    Console(width=width, file=out).print(table)
    return out.getvalue()


def _ours(title: str | None, columns: list[str], rows: list[list[str]], width: int) -> str:
    out = io.StringIO()
    print_table(Console(width=width, file=out), title, columns, rows)
    return out.getvalue()


def test_random_tables_print_character_for_character_as_rich_prints_them() -> None:
    rng = random.Random(21)
    for _ in range(300):
        width = rng.choice([30, 40, 80, 160])
        columns = [
            rng.choice(["#", "occurred", "summary", "notes"]) for _ in range(rng.randint(1, 7))
        ]
        rows = [
            [
                " ".join(rng.choice(WORDS) for _ in range(rng.randint(0, 12))).strip(" ")
                for _ in columns
            ]
            for _ in range(rng.randint(0, 12))
        ]
        title = rng.choice([None, "History of X"])
        assert _ours(title, columns, rows, width) == _rich(title, columns, rows, width)


def test_a_long_history_table_is_the_same_as_richs() -> None:
    rows = [
        [str(n), "2012-01-02", "2012-01-02T09:00", "case_note_recorded", "sw-1",
         f"Synthetic entry {n}: CP plan progress discussed with the family.",
         "recorded late (207 days after); corrected by #5001" if n % 7 == 0 else ""]
        for n in range(400)
    ]  # fmt: skip
    columns = ["#", "occurred", "recorded", "kind", "by", "summary", "notes"]
    ours = _ours("History of BENCH-1", columns, rows, 160)
    assert ours == _rich("History of BENCH-1", columns, rows, 160)
    assert ours.count("│ 399 ") == 1 and "recorded late" in ours


def test_the_ascii_line_breaking_breaks_where_richs_divide_line_does() -> None:
    from rich._wrap import divide_line

    from adapters.cli.long_table import _divide_line

    rng = random.Random(21)
    pieces = ["a", "bb", "ccc", "word", "x" * 12, "y" * 41, " ", "  ", "   ", "-", "#5001;"]
    for _ in range(3000):
        line = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 25)))
        width = rng.randint(1, 45)
        assert _divide_line(line, width) == divide_line(line, width, fold=True), (line, width)
