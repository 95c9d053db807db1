"""Turn bench results into a table (Markdown and the terminal) and a PNG of cost growth."""

from __future__ import annotations

import os
import platform
import sqlite3
from pathlib import Path
from typing import Any

TARGETS = {
    "bulk": 35_000.0,  # events/s, both engines (issue 21, perf-2)
    "bulk_of_raw": 0.30,  # and at least this share of the raw batched insert of the same run
    "single_sqlite": 1_000.0,  # events/s
    "rebuild": 20_000.0,  # events/s
    "tick_county": 5.0,  # seconds
    "replay": 5.0,  # seconds, a family by day over 3 years (issue 21)
}


def machine() -> dict[str, Any]:
    cpu = platform.processor() or ""
    try:
        with open("/proc/cpuinfo") as handle:
            for line in handle:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
        with open("/proc/meminfo") as handle:
            mem_kib = int(handle.readline().split()[1])
    except OSError:
        mem_kib = 0
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": round(mem_kib / 1024 / 1024, 1),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "platform": platform.platform(),
        # the machine is shared: a figure means little without what else was running
        "load_average": [round(v, 2) for v in os.getloadavg()],
    }


def _processes(rebuild: dict[str, Any]) -> str:
    workers = int(rebuild.get("workers", 1))
    return "1 process" if workers == 1 else f"{workers} worker processes"


def _ratio(product: float, limit: float) -> str:
    return f"{product / limit:.0%}" if limit else "-"


def _cpu_rate(bulk: dict[str, Any]) -> str:
    """The import's rate in this process's CPU time, when the run measured it."""
    cpu = bulk.get("cpu_events_per_second")
    return f" (CPU {cpu:,.0f})" if cpu else ""


def _mark(value: float, target: float, higher: bool = True) -> str:
    ok = value >= target if higher else value <= target
    return "met" if ok else "MISSED"


def rows(result: dict[str, Any]) -> list[list[str]]:
    """One row per figure: measure, engine, product, raw limit, ratio, target."""
    out: list[list[str]] = []
    big = result["size"] == "county"
    startup = result.get("startup")
    if startup:
        raw = startup["raw_python_s"]
        cpu = startup.get("cpu_seconds", {})
        for name, seconds in startup["seconds"].items():
            target = startup["targets"][name]
            out.append(
                [
                    f"CLI start-up, `caseledger {name}` on the demo (s, median)",
                    "sqlite",
                    f"{seconds:.2f}" + (f" (CPU {cpu[name]:.2f})" if name in cpu else ""),
                    f"{raw:.2f} (python -c pass)",
                    _ratio(raw, seconds),
                    f"< {target}: " + ("met" if seconds < target else "MISSED"),
                ]
            )
    for eng in result["engines"]:
        name = eng["engine"] + (" (encrypted)" if eng.get("encrypted") else "")
        if "error" in eng:
            out.append(["run stopped", name, eng["error"][:120], "-", "-", "-"])
        try:
            _engine_rows(out, eng, name, big)
        except KeyError:
            pass  # the phases after a failure have no figures
    return out


def _engine_rows(out: list[list[str]], eng: dict[str, Any], name: str, big: bool) -> None:
    """Append an engine's rows; KeyError if a phase has no figures (the run stopped there)."""
    bulk = eng["bulk_import"]
    out.append(
        [
            "bulk import (events/s)",
            name,
            f"{bulk['events_per_second']:,.0f}" + _cpu_rate(bulk),
            f"{bulk['raw_insert_per_second']:,.0f}",
            _ratio(bulk["events_per_second"], bulk["raw_insert_per_second"]),
            ">= 35,000 and >= 30% of raw: "
            + _mark(
                min(
                    bulk["events_per_second"] / TARGETS["bulk"],
                    bulk["events_per_second"]
                    / max(bulk["raw_insert_per_second"], 1.0)
                    / TARGETS["bulk_of_raw"],
                ),
                1.0,
            ),
        ]
    )
    single = eng["single_append"]
    target = (
        f">= 1,000: {_mark(single['per_second'], TARGETS['single_sqlite'])}"
        if eng["engine"] == "sqlite"
        else "-"
    )
    out.append(
        [
            "single append (events/s)",
            name,
            f"{single['per_second']:,.0f}",
            f"{single['raw_insert_per_second']:,.0f}",
            _ratio(single["per_second"], single["raw_insert_per_second"]),
            target,
        ]
    )
    rebuild = eng["rebuild"]
    out.append(
        [
            f"rebuild {'+'.join(rebuild['models'])}, {_processes(rebuild)} (events/s)",
            name,
            f"{rebuild['events_per_second']:,.0f}",
            f"{rebuild['raw_select_per_second']:,.0f}",
            _ratio(rebuild["events_per_second"], rebuild["raw_select_per_second"]),
            f">= 20,000: {_mark(rebuild['events_per_second'], TARGETS['rebuild'])}",
        ]
    )
    flat = " / ".join(f"{g['rss_peak_mib']:.0f}" for g in eng["growth"])
    out.append(
        [
            "rebuild peak RSS, all processes (MiB) at 1/8, 1/4, 1/2, 1 of log",
            name,
            flat,
            "-",
            "-",
            "flat in events",
        ]
    )
    chron = eng["chronology"]
    out.append(
        [
            f"chronology, {chron['child_events']:,}-event child p50/p95 (ms)",
            name,
            f"{chron['p50_ms']:.1f} / {chron['p95_ms']:.1f}",
            f"{chron['raw_p50_ms']:.1f} / {chron['raw_p95_ms']:.1f}",
            _ratio(chron["raw_p50_ms"], chron["p50_ms"]),
            "-",
        ]
    )
    family = eng.get("replay")
    if family:
        out.append(
            [
                f"replay of a family by day over 3 years ({family['children']} children, "
                f"{family['events']:,} events, {family['steps']:,} steps; "
                f"CPU {family['cpu_seconds']:.2f} s) (s)",
                name,
                f"{family['seconds']:.2f}",
                f"{family['raw_select_seconds']:.4f}",
                _ratio(family["raw_select_seconds"], family["seconds"]),
                f"< 5 s: {_mark(family['seconds'], TARGETS['replay'], higher=False)}",
            ]
        )
    tick = eng["tick"]
    for label in ("first", "next_day"):
        if label not in tick:
            continue
        item = tick[label]
        if "error" in item:
            out.append([f"deadline tick, {label}", name, item["error"], "-", "-", "-"])
            continue
        what = (
            f"{item['children_checked']:,} of {item['children_due']:,} due children "
            "timed, scaled to all"
            if item.get("sampled")
            else f"{item['children_checked']:,} children checked"
        )
        out.append(
            [
                f"deadline tick, {label.replace('_', ' ')} ({what}) (s)",
                name,
                f"{item['seconds_for_all_due']:.1f}"
                if item.get("sampled")
                else f"{item['seconds']:.2f}",
                f"{tick['raw_scan_seconds']:.2f}",
                _ratio(
                    tick["raw_scan_seconds"],
                    item["seconds_for_all_due"] if item.get("sampled") else item["seconds"],
                ),
                _tick_target(label, item, big),
            ]
        )


def _tick_target(label: str, item: dict[str, Any], big: bool) -> str:
    """The county target is the steady-state tick (the next day's, over all open children).

    The first tick after an import checks every child, all dirty at once: it happens once
    per store. (Issue 21 asks < 60 s of it at county size: docs/performance.md keeps that
    row; the suite's assertion on this table's text is left as it was.)
    """
    if label != "next_day":
        return "- (once per store)" if big else "-"
    if not big:
        return "-"
    return f"< 5 s: {_mark(item['seconds_for_all_due'], TARGETS['tick_county'], higher=False)}"


HEADER = ["measure", "engine", "caseledger", "raw DB limit", "of limit", "target"]


def markdown(result: dict[str, Any]) -> str:
    lines = [
        "| " + " | ".join(HEADER) + " |",
        "|" + "---|" * len(HEADER),
    ]
    lines += ["| " + " | ".join(r) + " |" for r in rows(result)]
    return "\n".join(lines) + "\n"


def plot(result: dict[str, Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (ax_time, ax_mem, ax_rss) = plt.subplots(1, 3, figsize=(15, 4.5))
    for eng in result["engines"]:
        if "growth" not in eng:
            continue
        xs = [g["log_events"] for g in eng["growth"]]
        ax_time.plot(xs, [g["seconds"] for g in eng["growth"]], marker="o", label=eng["engine"])
        ax_mem.plot(xs, [g["rss_peak_mib"] for g in eng["growth"]], marker="o", label=eng["engine"])
        samples = eng["rebuild"]["rss_samples"]
        ax_rss.plot([t for t, _ in samples], [v for _, v in samples], label=eng["engine"])
    ax_time.set(title="Read-model rebuild time", xlabel="events in the log", ylabel="seconds")
    ax_mem.set(title="Rebuild peak memory", xlabel="events in the log", ylabel="peak RSS (MiB)")
    ax_mem.set_ylim(bottom=0)
    ax_rss.set(title="Memory during the full rebuild", xlabel="seconds", ylabel="RSS (MiB)")
    ax_rss.set_ylim(bottom=0)
    for ax in (ax_time, ax_mem, ax_rss):
        ax.grid(True, alpha=0.3)
        ax.legend()
    info = result["machine"]
    fig.suptitle(
        f"caseledger bench — size {result['size']} ({result['children']:,} children), "
        f"{info['cores']} cores, {info['memory_gib']} GiB, {result['date'][:10]}"
    )
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
