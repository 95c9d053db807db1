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


def _box(group: ET.Element) -> tuple[float, float, float, float]:
    """The bounding box of a person's symbol (its outer border, for a double one)."""
    xs: list[float] = []
    ys: list[float] = []
    for ellipse in group.iter(f"{SVG}ellipse"):
        cx, cy = float(ellipse.get("cx", 0)), float(ellipse.get("cy", 0))
        rx, ry = float(ellipse.get("rx", 0)), float(ellipse.get("ry", 0))
        xs += [cx - rx, cx + rx]
        ys += [cy - ry, cy + ry]
    for polygon in group.iter(f"{SVG}polygon"):
        for point in polygon.get("points", "").split():
            x, y = point.split(",")
            xs.append(float(x))
            ys.append(float(y))
    assert xs and ys, group.get("id")
    return min(xs), min(ys), max(xs), max(ys)


def labels_outside_their_symbol(root: ET.Element) -> list[str]:
    """Each person's words that do not lie inside their own symbol's box.

    A text's extent is estimated from its length (half an em a character: Helvetica's
    average, as Graphviz measures it), centred on its anchor; its top is one font size
    above the baseline.
    """
    problems = []
    for person_id, group in _groups(root, "person").items():
        x0, y0, x1, y1 = _box(group)
        texts = list(group.iter(f"{SVG}text"))
        if not texts:
            problems.append(f"{person_id}: no label in its node")
        for text in texts:
            size = float(text.get("font-size", 9))
            half = 0.25 * size * len(text.text or "")
            x, y = float(text.get("x", 0)), float(text.get("y", 0))
            if not (x0 <= x - half and x + half <= x1 and y0 <= y - size and y <= y1):
                problems.append(
                    f"{person_id}: {text.text!r} at ({x}, {y}) outside {x0, y0, x1, y1}"
                )
    return problems


def test_every_label_lies_within_its_own_symbol(svg: ET.Element) -> None:
    assert labels_outside_their_symbol(svg) == []
    # and each person's words are in their own node: the unborn child's due date is under
    # the unborn child, Mia's name in Mia's symbol
    people = _groups(svg, "person")
    assert "due 01/09/2026" in _texts(people[UNBORN])
    assert _texts(people[MIA])[0] == "Mia Okafor"


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
    assert _texts(kai) == ["Kai Rowan", "b. 2018, aged 8"]
    # Deceased: grey, and the date of death.
    gran = people["p-gran"]
    assert "deceased" in (gran.get("class") or "")
    assert "died 02/11/2023" in _texts(gran)
    assert "alleged to harm" in _texts(people["p-dad"])
    assert "non-binary" in _texts(people["p-jo"])
    assert "due 01/09/2026" in _texts(people[UNBORN])
    # PR after the adoption order: the adopters, not the birth parents.
    assert "adoptive parent · PR" in _texts(people["p-adopt-1"])
    assert not any("PR" in t for t in _texts(people["p-mum"]))


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
    assert texts == ["foster (ended 01/03/2023)"] and dash is not None
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
    assert _texts(clusters["household:hh-rowan"]) == [
        "Living together now: Sam Okafor, Dana Rowan, Ada Rowan and Ben Rowan"
    ]
    x0, y0, x1, y1 = _bounds(clusters["household:hh-rowan"])
    for member in ("p-mum", "p-sam", TWIN_A, TWIN_B):
        x, y = _centre(people[member])
        assert x0 <= x <= x1 and y0 <= y <= y1, member
    x, y = _centre(people[KAI])  # Kai left in 2022; he lives with his adopters now
    assert not (x0 <= x <= x1 and y0 <= y <= y1)
    x0, y0, x1, y1 = _bounds(clusters["household:hh-penn"])
    assert x0 <= x <= x1 and y0 <= y <= y1


def _legend(root: ET.Element) -> list[ET.Element]:
    """The key: the graph label's texts (drawn straight under the graph, outside any node)."""
    graph = next(g for g in root.iter(f"{SVG}g") if g.get("class") == "graph")
    return [t for t in graph.findall(f"{SVG}text") if (t.text or "").strip()]


def test_legend_is_small_below_the_drawing_and_explains_the_symbols(svg: ET.Element) -> None:
    legend = _legend(svg)
    words = " ".join(t.text or "" for t in legend)
    for item in (
        "□ male", "○ female", "◇ sex unknown", "△ unborn", "grey: died",
        "double border: index child", "solid: married", "dashed: cohabiting",
        "/ //: separated, divorced", "dashed: adopted", "dotted: foster", "bold: close",
        "dashed: conflict", "barred: cut off", "bold arrow: abuse", "dashed box: living together",
    ):  # fmt: skip
        assert item in words, item
    # below every person, in small type, no taller than three lines
    people = _groups(svg, "person")
    lowest = max(_box(g)[3] for g in people.values())
    ys = [float(t.get("y", 0)) for t in legend]
    assert min(ys) > lowest
    assert {t.get("font-size") for t in legend} == {"8.00"}
    assert len(set(ys)) == 3
    # and nothing in it is drawn as a line between two points (no edge, no node)
    assert not [g for g in svg.iter(f"{SVG}g") if (g.get("id") or "").startswith("legend")]


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
