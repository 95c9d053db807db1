"""A long plain-text table printed as rich prints it, without rich's layout of every cell.

rich lays a table out by measuring, wrapping and padding each cell as a renderable: for a
5,000-event history that was 91% of ``caseledger history`` (several seconds). The columns'
widths depend only on each column's widest line and longest word, so rich computes them
here from the few rows that hold those extremes; the rows are then wrapped with rich's own
line-breaking (``divide_line``, its steps repeated here for one-cell characters) and framed
with the table's box characters. Title, header and borders are rendered by rich itself, so
they keep its styles on a terminal.

Only cells of printable ASCII that rich would not read as markup or emoji take this path (the
output is then the same, character for character; ``tests/unit/test_long_table.py`` compares);
any other table is printed by rich as before. Cell text is not highlighted on a terminal
(numbers and dates in the body are not coloured), the one visible difference.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from rich._emoji_replace import _emoji_replace
from rich._wrap import divide_line
from rich.console import Console
from rich.markup import render as render_markup
from rich.table import Table

_PLAIN = re.compile(r"[\x20-\x7e\n]*")


def _plain(cell: str) -> bool:
    """Whether rich prints ``cell`` as it is: printable ASCII, no markup, no emoji code."""
    if not _PLAIN.fullmatch(cell):
        return False
    if "[" in cell and render_markup(cell).plain != cell:
        return False
    return not (":" in cell and _emoji_replace(cell) != cell)


def _measure(cell: str) -> tuple[int, int]:
    """rich's (minimum, maximum) width of a plain cell: its longest word and longest line."""
    if " " not in cell and "\n" not in cell:  # one word (printable ASCII has no other space)
        return len(cell), len(cell)
    longest_word = max((len(word) for word in cell.split()), default=0)
    return longest_word, max(len(line) for line in cell.split("\n"))


_WORD = re.compile(r"\s*\S+\s*")


def _divide_line(line: str, width: int) -> list[int]:
    """``rich._wrap.divide_line(line, width, fold=True)`` for printable ASCII, where each
    character is one cell: the same breaks, without measuring each word's cells."""
    if width < 1:
        return divide_line(line, width, fold=True)
    breaks: list[int] = []
    offset = 0
    for match in _WORD.finditer(line):
        start = match.start()
        word = match.group()
        length = len(word.rstrip())
        if width - offset >= length:
            offset += len(word)
        elif length > width:  # longer than any line: folded across lines of ``width``
            pieces = [word[i : i + width] for i in range(0, len(word), width)]
            for piece in pieces[:-1]:
                if start:
                    breaks.append(start)
                start += len(piece)
            if start:
                breaks.append(start)
            offset = len(pieces[-1])
        elif offset and start:
            breaks.append(start)
            offset = len(word)
    return breaks


def _wrap(cell: str, width: int) -> list[str]:
    """``cell`` wrapped to ``width`` as rich's Text.wrap does (overflow fold, left justified)."""
    out: list[str] = []
    for line in cell.split("\n"):
        if len(line) <= width:  # fits: rich breaks nothing and pads it
            out.append(line.ljust(width))
            continue
        offsets = _divide_line(line, width)
        bounds = [0, *offsets, len(line)]
        for start, end in zip(bounds, bounds[1:], strict=False):
            piece = line[start:end]
            if len(piece) > width:  # Text.rstrip_end: trailing spaces past the width go
                stripped = piece.rstrip()
                piece = piece[: max(len(stripped), width)]
            out.append(piece[:width].ljust(width))
    return out


def _table(title: str | None, columns: Sequence[str], widths: Sequence[int] | None) -> Table:
    table = Table(title=title)
    for n, column in enumerate(columns):
        table.add_column(column, overflow="fold", width=None if widths is None else widths[n])
    return table


def print_table(
    console: Console, title: str | None, columns: Sequence[str], rows: Sequence[Sequence[str]]
) -> None:
    """Print ``rows`` under ``columns`` as ``rich.table.Table(title=title)`` would."""
    if not all(_plain(cell) for row in rows for cell in row):
        table = _table(title, columns, None)
        for row in rows:
            table.add_row(*row)
        console.print(table)
        return
    # the rows holding each column's widest line and longest word decide the widths
    extremes: set[int] = set()
    for n in range(len(columns)):
        sizes = [_measure(row[n]) for row in rows]
        if sizes:
            extremes.add(max(range(len(rows)), key=lambda i: sizes[i][0]))
            extremes.add(max(range(len(rows)), key=lambda i: sizes[i][1]))
    sample = _table(title, columns, None)
    for i in sorted(extremes):
        sample.add_row(*rows[i])
    # as Table.__rich_console__ asks: the console's width less the borders
    options = console.options.update_width(console.options.max_width - sample._extra_width)
    padded = sample._calculate_column_widths(console, options)
    widths = [w - 2 for w in padded]  # less each cell's padding (one space either side)
    with console.capture() as captured:
        console.print(_table(title, columns, widths))
    framed = captured.get().splitlines()
    head, bottom = framed[:-1], framed[-1]
    body: list[str] = []
    for row in rows:
        cells = [_wrap(cell, widths[n]) for n, cell in enumerate(row)]
        height = max(len(lines) for lines in cells)
        for line in range(height):
            parts = [
                lines[line] if line < len(lines) else " " * widths[n]
                for n, lines in enumerate(cells)
            ]
            body.append("│ " + " │ ".join(parts) + " │")
    console.file.write("\n".join([*head, *body, bottom]) + "\n")
