"""Draw a :class:`projections.genogram.Genogram` with Graphviz (DOT, SVG, PNG).

The symbols practitioners recognise:

- squares male, circles female, diamonds sex unknown, a triangle for an unborn child;
  each person's words (name, birth year and age, role, "PR") are written inside their own
  symbol, one node, so no label can drift onto a neighbour;
- a grey fill and "died" with the date for someone who has died;
- the index child with a double border;
- partners meet at a small union point: marriage/civil partnership solid, cohabiting or
  dating dashed, separated one slash ("/"), divorced two slashes ("//"); the union's
  children hang from that point and twins hang from a shared point of their own;
- adoptive links dashed ("adopted"), foster links dotted ("foster"), step links grey
  dotted ("step"), special guardians dashed blue ("SGO"); ended links greyed with the date;
- the emotional and harm overlay in colour, not constraining the layout: close (green),
  conflict (red, dashed), cut-off (grey, barred ends), abuse (red, bold, arrow from the
  person who harms when directed); "(disputed)" when disputed;
- a boundary around each household as it stands, named by its address label or its
  members (a child who came into care has left it);
- "PR" on each person holding parental responsibility for the index child now;
- a small key below the drawing, in words and symbols (no sample line that could be read
  as a relationship).

Each person's node id is their person id, each edge's id says what it is, so the SVG can
be read back by tools and tests.
"""

from __future__ import annotations

import html
import re
from datetime import date

import graphviz

from domain.codes import Sex
from domain.events.base import LONDON
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


def _day(value: date) -> str:
    return f"{value.day:02d}/{value.month:02d}/{value.year}"


def _label(person: Person, holds_pr: bool, today: date) -> str:
    """The words written inside the person's symbol, one line each."""
    name = " ".join(part for part in (person.first_name, person.last_name) if part)
    lines = [name or person.person_id]
    if person.unborn and person.expected_date_of_birth:
        lines.append(f"due {_day(person.expected_date_of_birth)}")
    elif person.date_of_birth:
        born = f"b. {person.date_of_birth.year}"
        if not person.deceased:
            born += f", aged {_age(person.date_of_birth, today)}"
        lines.append(born)
    if person.deceased:
        lines.append(f"died {_day(person.date_of_death)}" if person.date_of_death else "died")
    if person.gender_identity:
        lines.append(person.gender_identity)
    tags = []
    if person.role:
        tags.append(person.role.value.replace("_", " "))
    if holds_pr:
        tags.append("PR")
    if tags:
        lines.append(" · ".join(tags))
    if person.alleged_perpetrator:
        lines.append("alleged to harm")
    return "\n".join(lines)


def _ended(tie: KinshipTie, attrs: dict[str, str]) -> dict[str, str]:
    if tie.ended_on is None:
        return attrs
    out = dict(attrs)
    out["color"] = "#aaaaaa"
    out["fontcolor"] = "#777777"
    out["label"] = (out.get("label", "") + f" (ended {_day(tie.ended_on)})").strip()
    return out


def _beside(attrs: dict[str, str]) -> dict[str, str]:
    """An edge's words as an xlabel: beside the straight line, not a bend in it."""
    out = dict(attrs)
    if "label" in out:
        out["xlabel"] = out.pop("label")
    return out


def to_graph(model: Genogram, *, today: date) -> graphviz.Digraph:  # noqa: C901
    """The genogram as a Graphviz digraph (``today`` gives the ages shown)."""
    people = {p.person_id: p for p in model.people}
    index = people.get(model.index_child)
    who = (
        " ".join(p for p in (index.first_name, index.last_name) if p) if index else ""
    ) or model.index_child
    title = f"Genogram of {who}" + (" and family" if model.scope == "family" else "")
    if model.as_known_at:
        title += f", as known at {_day(model.as_known_at.astimezone(LONDON).date())}"
    top = graphviz.Digraph(
        name=_safe(f"genogram_{model.index_child}"),
        graph_attr={
            "rankdir": "TB",
            "newrank": "true",
            "splines": "line",
            # edge words sit beside straight lines instead of bending them round a label
            "forcelabels": "true",
            "nodesep": "0.4",
            "ranksep": "0.6",
            "fontname": "Helvetica",
            "label": _legend(),
            "labelloc": "b",
            "labeljust": "l",
        },
        node_attr={"fontname": "Helvetica", "fontsize": "9", "margin": "0.06,0.03"},
        edge_attr={"fontname": "Helvetica", "fontsize": "8", "arrowhead": "none"},
    )
    with top.subgraph(name="cluster_genogram") as dot:
        dot.attr(label=title, labelloc="t", fontsize="13", color="white", id="drawing")
        _draw(dot, model, people, today)
    return top


def _draw(  # noqa: C901
    dot: graphviz.Digraph, model: Genogram, people: dict[str, Person], today: date
) -> None:
    pr_now = {
        p.person_id
        for p in model.parental_responsibility
        if p.child_id == model.index_child and p.ended_on is None
    }
    home: dict[str, str] = {}
    names: dict[str, str] = {}
    for household in model.households:
        names[household.household_id] = household.name
        for member in household.members_on(None):
            if member.person_id in people:
                home.setdefault(member.person_id, household.household_id)

    def node(graph: graphviz.Digraph, person: Person) -> None:
        shape = "triangle" if person.unborn else SHAPES[person.sex]
        attrs = {
            "shape": shape,
            "label": _label(person, person.person_id in pr_now, today),
            "width": "0.6",
            "height": "0.6",
            "regular": "false" if person.unborn else "true",
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
                label=f"Living together now: {names[household_id]}",
                fontsize="9",
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
        dot.edge(a, union, id=f"partner:{a}+{b}:{kind}", xlabel=slashes, **attrs)
        dot.edge(b, union, id=f"partner:{b}+{a}:{kind}", xlabel=slashes, **attrs)
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
                # the twins' own point hangs one rank under their parents' union, and
                # every child two ranks under it, so twins stand level with their siblings
                dot.edge(source, point, id=f"birth:{source}->{point}")
            dot.edge(point, child, id=f"twin:{child}", xlabel="twin")
            continue
        # children hang two ranks under their parents' union point (room for a twins'
        # point between); a child of one recorded parent three under that parent
        dot.edge(
            source,
            child,
            id=f"birth:{'+'.join(sorted(parents))}->{child}",
            minlen="2" if len(parents) == 2 else "3",
        )
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
                # an adoptive, foster or step parent stands in the parents' generation
                minlen="3",
                **_beside(attrs),
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
                    xlabel=tie.kind.value.replace("_", " "),
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
            attrs["label"] += f" (ended {_day(link.ended_on)})"
        dot.edge(
            link.from_person,
            link.to_person,
            id=f"{link.kind}:{link.from_person}->{link.to_person}",
            constraint="false",
            **_beside(attrs),
        )


LEGEND_SYMBOLS = (
    ("□", "male"),
    ("○", "female"),
    ("◇", "sex unknown"),
    ("△", "unborn"),
    ("▦", "grey: died"),
    ("◎", "double border: index child"),
    ("PR", "holds parental responsibility"),
)
LEGEND_TIES = (
    ("#000000", "solid", "married"),
    ("#000000", "dashed", "cohabiting"),
    ("#000000", "/ //", "separated, divorced"),
    ("#000000", "dashed", "adopted"),
    ("#1f5fa8", "dotted", "foster"),
    ("#777777", "dotted", "step"),
)
LEGEND_OVERLAY = (
    ("#2e8b57", "bold", "close"),
    ("#c0392b", "dashed", "conflict"),
    ("#777777", "barred", "cut off"),
    ("#c0392b", "bold arrow", "abuse (from the person who harms)"),
    ("#1f5fa8", "dashed box", "living together now"),
)


def _legend() -> str:
    """The key: one small table under the drawing, lines described in words (in the line's
    colour), so nothing in it can be read as a tie between people."""

    def words(text: str, colour: str = "#333333") -> str:
        return f'<FONT COLOR="{colour}">{html.escape(text)}</FONT>'

    gap = "&#160;&#160;&#160; "
    symbols = gap.join(words(f"{mark} {text}") for mark, text in LEGEND_SYMBOLS)

    def row(title: str, body: str) -> str:
        return (
            f'<TR><TD ALIGN="LEFT"><FONT POINT-SIZE="8"><B>{title}</B>{gap}{body}</FONT></TD></TR>'
        )

    def described(lines: tuple[tuple[str, str, str], ...]) -> str:
        return gap.join(words(f"{style}: {text}", colour) for colour, style, text in lines)

    return (
        '<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="1" ID="legend" TOOLTIP="Key to the symbols and lines">'
        + row("Key", symbols)
        + row("Family lines", described(LEGEND_TIES))
        + row("Relationships", described(LEGEND_OVERLAY))
        + "</TABLE>>"
    )


def render(model: Genogram, fmt: str, *, today: date) -> bytes:
    """The picture as bytes: ``dot`` (source), ``svg`` or ``png``."""
    graph = to_graph(model, today=today)
    if fmt == "dot":
        return str(graph.source).encode("utf-8")
    if fmt not in {"svg", "png"}:
        raise ValueError(f"format {fmt!r}: expected dot, svg or png")
    picture: bytes = graph.pipe(format=fmt)
    return picture
