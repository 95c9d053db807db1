"""The genogram picture: render SVG with Graphviz and read the nodes, edges and labels back."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import date

import pytest

from adapters.exporters.genogram_graphviz import render
from projections.genogram import genogram
from tests.blended_family import KAI, MIA, TWIN_A, TWIN_B, UNBORN, blended_family

NS = {"svg": "http://www.w3.org/2000/svg"}
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def svg() -> ET.Element:
    model = genogram(blended_family().all(), index_child=KAI, scope="family")
    return ET.fromstring(render(model, "svg", today=date(2026, 6, 1)))


def _groups(root: ET.Element, cls: str) -> dict[str, ET.Element]:
    return {
        g.get("id", ""): g for g in root.iter(f"{SVG}g") if cls in (g.get("class") or "").split()
    }


def _texts(group: ET.Element) -> list[str]:
    return [t.text or "" for t in group.iter(f"{SVG}text")]


def _shape(group: ET.Element) -> str:
    if group.find(".//svg:ellipse", NS) is not None:
        return "circle"
    polygon = group.find(".//svg:polygon", NS)
    assert polygon is not None
    corners = len(polygon.get("points", "").split()) - 1
    if corners == 3:
        return "triangle"
    xs = {p.split(",")[0] for p in polygon.get("points", "").split()}
    return "square" if len(xs) == 2 else "diamond"


def _centre(group: ET.Element) -> tuple[float, float]:
    ellipse = group.find(".//svg:ellipse", NS)
    if ellipse is not None:
        return float(ellipse.get("cx", 0)), float(ellipse.get("cy", 0))
    polygon = group.find(".//svg:polygon", NS)
    assert polygon is not None
    points = [tuple(map(float, p.split(","))) for p in polygon.get("points", "").split()[:-1]]
    return sum(p[0] for p in points) / len(points), sum(p[1] for p in points) / len(points)


def _bounds(cluster: ET.Element) -> tuple[float, float, float, float]:
    path = cluster.find("svg:path", NS)
    numbers = [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", path.get("d", ""))]  # type: ignore[union-attr]
    xs, ys = numbers[0::2], numbers[1::2]
    return min(xs), min(ys), max(xs), max(ys)


def test_people_are_drawn_with_the_recognised_symbols(svg: ET.Element) -> None:
    people = _groups(svg, "person")
    assert set(people) == {
        KAI, MIA, TWIN_A, TWIN_B, UNBORN, "p-mum", "p-dad", "p-jo", "p-sam", "p-gran",
        "p-grandad", "p-foster", "p-adopt-1", "p-adopt-2",
    }  # fmt: skip
    assert "prof-sw" not in people and "prof-hv" not in people
    shapes = {pid: _shape(g) for pid, g in people.items()}
    assert shapes["p-dad"] == "square" and shapes["p-mum"] == "circle"
    assert shapes["p-jo"] == "diamond" and shapes[UNBORN] == "triangle"
    # Index child: a double border and the words "index child".
    kai = people[KAI]
    assert len(kai.findall(".//svg:polygon", NS)) == 2
    assert "index" in (kai.get("class") or "")
    assert {"Kai Rowan", "b. 2018", "index child"} <= set(_texts(kai))
    # Deceased: a cross in the symbol and the date of death.
    gran = people["p-gran"]
    assert "deceased" in (gran.get("class") or "")
    assert "✕" in _texts(gran) and "d. 2023-11-02" in _texts(gran)
    assert "alleged perpetrator" in _texts(people["p-dad"])
    assert "non-binary" in _texts(people["p-jo"])
    assert "due 2026-09-01" in _texts(people[UNBORN])
    # PR after the adoption order: the adopters, not the birth parents.
    assert "PR" in _texts(people["p-adopt-1"]) and "PR" not in _texts(people["p-mum"])


def _edge(edges: dict[str, ET.Element], edge_id: str) -> tuple[list[str], str | None]:
    group = edges[edge_id]
    path = group.find(".//svg:path", NS)
    assert path is not None
    return _texts(group), path.get("stroke-dasharray")


def test_edges_show_partnerships_parenting_twins_and_overlay(svg: ET.Element) -> None:
    edges = _groups(svg, "edge")
    assert _edge(edges, "partner:p-mum+p-sam:married") == ([], None)  # solid
    texts, dash = _edge(edges, "partner:p-dad+p-jo:cohabiting")
    assert dash is not None  # dashed
    assert _edge(edges, "partner:p-dad+p-mum:divorced")[0] == ["//"]
    assert _edge(edges, "partner:p-gran+p-grandad:married")[0] == []
    texts, dash = _edge(edges, f"adoptive_parent:p-adopt-1->{KAI}")
    assert texts == ["adopted"] and dash is not None
    texts, dash = _edge(edges, f"foster_parent:p-foster->{KAI}")
    assert texts == ["foster (ended 2023-03-01)"] and dash is not None
    assert _edge(edges, f"step_parent:p-sam->{KAI}")[0] == ["step"]
    # Kai's birth parents meet at a union point, and he hangs from it.
    assert f"birth:p-dad+p-mum->{KAI}" in edges
    assert f"birth:p-mum+p-sam->{MIA}" in edges and f"birth:p-mum+p-sam->{UNBORN}" in edges
    # Twins hang from one shared point.
    assert f"twins:{TWIN_A}+{TWIN_B}" in _groups(svg, "node")
    assert _edge(edges, f"twin:{TWIN_A}")[0] == ["twin"]
    assert _edge(edges, f"twin:{TWIN_B}")[0] == ["twin"]
    # The overlay: abuse with direction (an arrowhead), disputed.
    abuse = edges["abuse:p-dad->p-mum"]
    assert _texts(abuse) == ["abuse (disputed)"]
    assert abuse.find("svg:polygon", NS) is not None
    assert _texts(edges["close:C-KAI->p-gran"]) == ["close"]
    assert _texts(edges["cut_off:p-dad->p-grandad"]) == ["cut off"]
    assert _texts(edges["conflict:p-dad->p-mum"]) == ["conflict"]


def test_households_are_boundaries_around_their_members(svg: ET.Element) -> None:
    clusters = _groups(svg, "cluster")
    people = _groups(svg, "person")
    assert _texts(clusters["household:hh-rowan"]) == ["Household hh-rowan"]
    x0, y0, x1, y1 = _bounds(clusters["household:hh-rowan"])
    for member in ("p-mum", "p-sam", TWIN_A, TWIN_B):
        x, y = _centre(people[member])
        assert x0 <= x <= x1 and y0 <= y <= y1, member
    x, y = _centre(people[KAI])  # Kai left in 2022; he lives with his adopters now
    assert not (x0 <= x <= x1 and y0 <= y <= y1)
    x0, y0, x1, y1 = _bounds(clusters["household:hh-penn"])
    assert x0 <= x <= x1 and y0 <= y <= y1


def test_legend_explains_the_symbols(svg: ET.Element) -> None:
    legend = _groups(svg, "cluster")["legend"]
    assert _texts(legend) == ["Legend"]
    ids = {g.get("id") for g in svg.iter(f"{SVG}g")}
    for item in (
        "male", "female", "sex unknown", "unborn", "died", "index child", "married",
        "cohabiting", "separated /", "divorced //", "adopted", "foster", "close",
        "conflict", "cut off", "abuse", "household",
    ):  # fmt: skip
        assert f"legend:{item}" in ids, item


def test_png_and_dot_render() -> None:
    model = genogram(blended_family().stream(KAI), index_child=KAI)
    assert render(model, "png", today=date(2026, 6, 1)).startswith(b"\x89PNG\r\n\x1a\n")
    source = render(model, "dot", today=date(2026, 6, 1)).decode()
    assert source.startswith("digraph genogram_C_KAI {") and '"p-gran"' in source
    with pytest.raises(ValueError, match="expected dot, svg or png"):
        render(model, "gif", today=date(2026, 6, 1))


def test_twins_without_recorded_parents_are_still_joined() -> None:
    from tests.blended_family import Ledger

    ledger = Ledger()
    for child, first in ((TWIN_A, "Ada"), (TWIN_B, "Ben")):
        ledger.add(
            "child_registered", child, "2021-09-01", first_name=first, last_name="Rowan",
            sex="F", date_of_birth="2016-03-03", family_id="FAM-T", upn=None, nhs_number=None,
        )  # fmt: skip
    ledger.add(
        "person_added", TWIN_A, "2021-09-02", person_id=TWIN_B, is_child_record=TWIN_B,
        role="sibling", first_name="Ben", sex="M", date_of_birth="2016-03-03",
    )  # fmt: skip
    ledger.add(
        "relationship_recorded", TWIN_A, "2021-09-02", relationship_id="t",
        relationship="twin", from_person=TWIN_A, to_person=TWIN_B, started_on=None,
    )  # fmt: skip
    model = genogram(ledger.all(), index_child=TWIN_A, scope="family")
    root = ET.fromstring(render(model, "svg", today=date(2026, 6, 1)))
    edge = _groups(root, "edge")[f"twin-link:{TWIN_A}+{TWIN_B}"]
    assert _texts(edge) == ["twins"]
