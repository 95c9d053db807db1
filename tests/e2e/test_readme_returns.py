"""The README's return commands give a real return on the demo (not an empty one)."""

from __future__ import annotations

import re
from pathlib import Path

from typer.testing import CliRunner

from adapters.cli.main import app
from adapters.synthetic.demo_family import write_demo

README = Path(__file__).resolve().parents[2] / "README.md"
runner = CliRunner()


def test_the_readme_years_are_years_the_demo_covers(tmp_path: Path) -> None:
    text = README.read_text()
    cin_year = re.search(r"`export cin-census --year (\d{4})", text)
    ssda_year = re.search(r"`export ssda903 --year (\d{4})", text)
    assert cin_year and ssda_year
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    write_demo(url)
    result = runner.invoke(app, ["export", "cin-census", "--year", cin_year.group(1), "--db", url])
    assert result.exit_code == 0, result.stderr
    ids = re.findall(r"<LAchildID>([^<]+)</LAchildID>", result.stdout)
    assert sorted(ids) == ["DEMOJORDAN", "DEMOTWINA", "DEMOTWINB"]  # the census drops "-"
    out = tmp_path / "903"
    result = runner.invoke(
        app, ["export", "ssda903", "--year", ssda_year.group(1), "--out", str(out), "--db", url]
    )
    assert result.exit_code == 0, result.stderr
    episodes = (out / "episodes.csv").read_text().splitlines()
    assert len(episodes) == 1 + 4  # header and Jordan's four episodes that year
    assert {line.split(",")[0] for line in episodes[1:]} == {"DEMO-JORDAN"}
