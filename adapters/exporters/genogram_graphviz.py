"""Draw a :class:`projections.genogram.Genogram` with Graphviz (DOT, SVG, PNG).

The symbols practitioners recognise:

- squares male, circles female, diamonds sex unknown, a triangle for an unborn child;
- a cross through the symbol (and "d." with the date) for someone who has died;
- the index child with a double border;
- partners meet at a small union point: marriage/civil partnership solid, cohabiting or
  dating dashed, separated one slash ("/"), divorced two slashes ("//"); the union's
  children hang from that point and twins hang from a shared point of their own;
- adoptive links dashed ("adopted"), foster links dotted ("foster"), step links grey
  dotted ("step"), special guardians dashed blue ("SGO"); ended links greyed with the date;
- the emotional and harm overlay in colour, not constraining the layout: close (green),
  conflict (red, dashed), cut-off (grey, barred ends), abuse (red, bold, arrow from the
  person who harms when directed); "(disputed)" when disputed;
- a boundary around each household as it stands;
- "PR" on each person holding parental responsibility for the index child now;
- a legend.

Each person's node id is their person id, each edge's id says what it is, so the SVG can
be read back by tools and tests.
"""

from __future__ import annotations

import re
from datetime import date

import graphviz

from domain.codes import Sex
from domain.events.people import RelationshipKind
from projections.genogram import Genogram, KinshipGroup, KinshipTie, Person

SHAPES = {Sex.MALE: "square", Sex.FEMALE: "circle", Sex.UNKNOWN: "diamond"}
PARTNER_STYLE: dict[RelationshipKind, tuple[str, str]] = {
    RelationshipKind.MARRIED: ("solid", ""),
    RelationshipKind.CIVIL_PARTNERS: ("solid", ""),
    RelationshipKind.COHABITING: ("dashed", ""),
    RelationshipKind.DATING: ("dotted", ""),
    RelationshipKind.SEPARATED: ("solid", "/"),
    RelationshipKind.DIVORCED: ("solid", "//"),
}
OTHER_PARENT_STYLE: dict[RelationshipKind, dict[str, str]] = {
    RelationshipKind.ADOPTIVE_PARENT: {"style": "dashed", "label": "adopted"},
    RelationshipKind.FOSTER_PARENT: {"style": "dotted", "label": "foster", "color": "#1f5fa8"},
    RelationshipKind.STEP_PARENT: {"style": "dotted", "label": "step", "color": "#777777"},
    RelationshipKind.SPECIAL_GUARDIAN: {"style": "dashed", "label": "SGO", "color": "#1f5fa8"},
}
OVERLAY_STYLE: dict[str, dict[str, str]] = {
    "close": {"color": "#2e8b57", "penwidth": "2", "label": "close"},
    "conflict": {"color": "#c0392b", "style": "dashed", "label": "conflict"},
    "cut_off": {
        "color": "#777777",
        "label": "cut off",
        "dir": "both",
        "arrowhead": "tee",
        "arrowtail": "tee",
    },
    "abuse": {"color": "#c0392b", "penwidth": "2.5", "label": "abuse"},
}


def _safe(value: str) -> str:
    return re.sub(r"[^A-Za-z0-9_]", "_", value)


def _age(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def _label(person: Person, holds_pr: bool, today: date) -> tuple[str, str]:
    """(text inside the symbol, text under it)."""
    name = " ".join(part for part in (person.first_name, person.last_name) if part)
    lines = [name]
    if person.unborn and person.expected_date_of_birth:
        lines.append(f"due {person.expected_date_of_birth.isoformat()}")
    elif person.date_of_birth:
        lines.append(f"b. {person.date_of_birth.year}")
    if person.deceased:
        lines.append(f"d. {person.date_of_death.isoformat() if person.date_of_death else '?'}")
    if person.gender_identity:
        lines.append(person.gender_identity)
    if person.role:
        lines.append(person.role.value.replace("_", " "))
    if holds_pr:
        lines.append("PR")
    if person.alleged_perpetrator:
        lines.append("alleged perpetrator")
    if person.index_child:
        lines.append("index child")
    if person.deceased:
        inside = "✕"
    elif person.unborn:
        inside = "?"
    elif person.date_of_birth:
        inside = str(_age(person.date_of_birth, today))
    else:
        inside = ""
    return inside, "\n".join(lines)


def _ended(tie: KinshipTie, attrs: dict[str, str]) -> dict[str, str]:
    if tie.ended_on is None:
        return attrs
    out = dict(attrs)
    out["color"] = "#aaaaaa"
    out["fontcolor"] = "#777777"
    out["label"] = (out.get("label", "") + f" (ended {tie.ended_on.isoformat()})").strip()
    return out


def to_graph(model: Genogram, *, today: date) -> graphviz.Digraph:  # noqa: C901
    """The genogram as a Graphviz digraph (``today`` gives the ages shown)."""
    dot = graphviz.Digraph(
        name=_safe(f"genogram_{model.index_child}"),
        graph_attr={
            "rankdir": "TB",
            "splines": "polyline",
            "nodesep": "0.5",
            "ranksep": "0.8",
            "fontname": "Helvetica",
            "label": f"Genogram: {model.index_child}"
            + (f" (family {model.family_id})" if model.scope == "family" else "")
            + (f", as known at {model.as_known_at.isoformat()}" if model.as_known_at else ""),
            "labelloc": "t",
        },
        node_attr={"fontname": "Helvetica", "fontsize": "10"},
        edge_attr={"fontname": "Helvetica", "fontsize": "9", "arrowhead": "none"},
    )
    pr_now = {
        p.person_id
        for p in model.parental_responsibility
        if p.child_id == model.index_child and p.ended_on is None
    }
    people = {p.person_id: p for p in model.people}
    home: dict[str, str] = {}
    for household in model.households:
        for member in household.members:
            if member.ended_on is None and member.person_id in people:
                home.setdefault(member.person_id, household.household_id)

    def node(graph: graphviz.Digraph, person: Person) -> None:
        inside, below = _label(person, person.person_id in pr_now, today)
        attrs = {
            "shape": "triangle" if person.unborn else SHAPES[person.sex],
            "label": inside,
            "xlabel": below,
            "width": "0.55",
            "height": "0.55",
            "fixedsize": "true",
            "id": person.person_id,
            "class": "person"
            + (" deceased" if person.deceased else "")
            + (" index" if person.index_child else "")
            + (" unborn" if person.unborn else ""),
            "tooltip": person.person_id,
        }
        if person.index_child:
            attrs.update(peripheries="2", penwidth="2")
        if person.deceased:
            attrs.update(style="filled", fillcolor="#dddddd")
        if person.alleged_perpetrator:
            attrs.update(color="#c0392b")
        graph.node(person.person_id, **attrs)

    for household_id in sorted(set(home.values())):
        with dot.subgraph(name=_safe(f"cluster_{household_id}")) as cluster:
            cluster.attr(
                label=f"Household {household_id}",
                style="rounded,dashed",
                color="#1f5fa8",
                id=f"household:{household_id}",
            )
            for person_id, where in home.items():
                if where == household_id:
                    node(cluster, people[person_id])
    for person in model.people:
        if person.person_id not in home:
            node(dot, person)

    # Partners: the latest tie between each pair decides the line.
    couples: dict[tuple[str, str], KinshipTie] = {}
    for tie in model.kinship:
        if tie.group is KinshipGroup.PARTNERS:
            pair = (min(tie.from_person, tie.to_person), max(tie.from_person, tie.to_person))
            best = couples.get(pair)
            if best is None or (tie.started_on or date.min) >= (best.started_on or date.min):
                couples[pair] = tie
    births: dict[str, list[str]] = {}
    for tie in model.kinship:
        if tie.kind is RelationshipKind.BIRTH_PARENT:
            births.setdefault(tie.to_person, []).append(tie.from_person)
    for parents in births.values():
        if len(parents) == 2:
            pair = (min(parents), max(parents))
            couples.setdefault(pair, None)  # type: ignore[arg-type]
    unions: dict[tuple[str, str], str] = {}
    for (a, b), partner_tie in sorted(couples.items()):
        union = _safe(f"u_{a}_{b}")
        unions[(a, b)] = union
        dot.node(union, shape="point", width="0.05", label="", id=f"union:{a}+{b}")
        if partner_tie is None:
            style, slashes, kind = "dotted", "", "no recorded relationship"
        else:
            style, slashes = PARTNER_STYLE[partner_tie.kind]
            kind = partner_tie.kind.value
            if partner_tie.ended_on is not None and not slashes:
                slashes = "/"
        attrs = {"style": style, "color": "black"}
        # Both partners run down to the union point, so they sit side by side above it.
        dot.edge(a, union, id=f"partner:{a}+{b}:{kind}", label=slashes, **attrs)
        dot.edge(b, union, id=f"partner:{b}+{a}:{kind}", label=slashes, **attrs)
    twins = {(t.from_person, t.to_person) for t in model.kinship if t.kind is RelationshipKind.TWIN}
    hung: set[str] = set()
    for child, parents in sorted(births.items()):
        if len(parents) == 2:
            source = unions[(min(parents), max(parents))]
        else:
            source = parents[0]
        twin_of = next((b for a, b in twins if a == child), None) or next(
            (a for a, b in twins if b == child), None
        )
        if (
            twin_of is not None
            and births.get(twin_of)
            and sorted(births[twin_of]) == sorted(parents)
        ):
            pair = (min(child, twin_of), max(child, twin_of))
            point = _safe(f"tw_{pair[0]}_{pair[1]}")
            if point not in hung:
                hung.add(point)
                dot.node(
                    point, shape="point", width="0.04", label="", id=f"twins:{pair[0]}+{pair[1]}"
                )
                dot.edge(source, point, id=f"birth:{source}->{point}")
            dot.edge(point, child, id=f"twin:{child}", label="twin")
            continue
        dot.edge(source, child, id=f"birth:{'+'.join(sorted(parents))}->{child}")
    for a, b in sorted(twins):  # twins with no parents recorded: still joined
        if _safe(f"tw_{min(a, b)}_{max(a, b)}") not in hung:
            dot.edge(a, b, id=f"twin-link:{a}+{b}", label="twins", style="bold", constraint="false")
    for tie in model.kinship:
        if tie.kind in OTHER_PARENT_STYLE:
            attrs = _ended(tie, OTHER_PARENT_STYLE[tie.kind])
            dot.edge(
                tie.from_person,
                tie.to_person,
                id=f"{tie.kind.value}:{tie.from_person}->{tie.to_person}",
                **attrs,
            )
    parent_sets = {child: set(parents) for child, parents in births.items()}
    for tie in model.kinship:
        if tie.group is KinshipGroup.SIBLINGS and tie.kind is not RelationshipKind.TWIN:
            shared = parent_sets.get(tie.from_person, set()) & parent_sets.get(tie.to_person, set())
            if not shared:
                dot.edge(
                    tie.from_person,
                    tie.to_person,
                    id=f"{tie.kind.value}:{tie.from_person}+{tie.to_person}",
                    label=tie.kind.value.replace("_", " "),
                    style="dotted",
                    constraint="false",
                )
    for link in model.overlay:
        attrs = dict(OVERLAY_STYLE[link.kind])
        if link.kind == "abuse" and link.directed:
            attrs["arrowhead"] = "normal"
        if link.disputed:
            attrs["label"] += " (disputed)"
        if link.ended_on:
            attrs["label"] += f" (ended {link.ended_on.isoformat()})"
        dot.edge(
            link.from_person,
            link.to_person,
            id=f"{link.kind}:{link.from_person}->{link.to_person}",
            constraint="false",
            **attrs,
        )
    _legend(dot)
    return dot


def _legend(dot: graphviz.Digraph) -> None:
    with dot.subgraph(name="cluster_legend") as legend:
        legend.attr(label="Legend", style="rounded", color="#999999", id="legend")
        samples = [
            ("lg_male", "square", "", "male", {}),
            ("lg_female", "circle", "", "female", {}),
            ("lg_unknown", "diamond", "", "sex unknown", {}),
            ("lg_unborn", "triangle", "?", "unborn", {}),
            ("lg_dead", "square", "✕", "died", {"style": "filled", "fillcolor": "#dddddd"}),
            ("lg_index", "circle", "", "index child", {"peripheries": "2", "penwidth": "2"}),
        ]
        # xlabels float to whichever side has room, so each shape gets its own text node,
        # chained left to right on one rank: the text always sits just right of its shape.
        with legend.subgraph(name="legend_shapes") as row:
            row.attr(rank="same")
            previous = None
            for node_id, shape, inside, text, extra in samples:
                row.node(
                    node_id,
                    shape=shape,
                    label=inside,
                    width="0.35",
                    height="0.35",
                    fixedsize="true",
                    id=f"legend:{text}",
                    **extra,
                )
                row.node(f"{node_id}_text", shape="plaintext", label=text, id=f"legend-text:{text}")
                if previous is not None:
                    row.edge(previous, node_id, style="invis")
                row.edge(node_id, f"{node_id}_text", style="invis", minlen="0")
                previous = f"{node_id}_text"
        lines = [
            ("married", {"style": "solid"}),
            ("cohabiting", {"style": "dashed"}),
            ("separated /", {"style": "solid"}),
            ("divorced //", {"style": "solid"}),
            ("adopted", {"style": "dashed"}),
            ("foster", {"style": "dotted", "color": "#1f5fa8"}),
            ("step", {"style": "dotted", "color": "#777777"}),
            ("close", {"color": "#2e8b57", "penwidth": "2"}),
            ("conflict", {"color": "#c0392b", "style": "dashed"}),
            (
                "cut off",
                {"color": "#777777", "dir": "both", "arrowhead": "tee", "arrowtail": "tee"},
            ),
            ("abuse", {"color": "#c0392b", "penwidth": "2.5", "arrowhead": "normal"}),
        ]
        for n, (text, attrs) in enumerate(lines):
            a, b = f"lg_l{n}a", f"lg_l{n}b"
            legend.node(a, shape="point", width="0.03", label="")
            legend.node(b, shape="point", width="0.03", label="")
            legend.edge(a, b, label=text, id=f"legend:{text}", **attrs)
        legend.node(
            "lg_household",
            shape="box",
            style="rounded,dashed",
            color="#1f5fa8",
            label="household",
            id="legend:household",
        )
        legend.node("lg_pr", shape="plaintext", label="PR: holds parental responsibility")


def render(model: Genogram, fmt: str, *, today: date) -> bytes:
    """The picture as bytes: ``dot`` (source), ``svg`` or ``png``."""
    graph = to_graph(model, today=today)
    if fmt == "dot":
        return str(graph.source).encode("utf-8")
    if fmt not in {"svg", "png"}:
        raise ValueError(f"format {fmt!r}: expected dot, svg or png")
    picture: bytes = graph.pipe(format=fmt)
    return picture
