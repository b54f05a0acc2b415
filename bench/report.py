"""Write the benchmark's results: a Markdown report and a PNG chart (matplotlib, only when the run
was started `--with matplotlib`; the template's own test suite never needs it)."""

from __future__ import annotations

import datetime
import os
import platform
from pathlib import Path

TARGET_HEALTH, TARGET_IO, TARGET_WIRING, TARGET_COPY = 3.0, 10.0, 0.8, 1.0

# Why a target can be missed for reasons of structure, whatever the run's numbers.
STRUCTURE = {
    "health": "GET /health runs a real database query on both stacks (the API contract says so), "
    "so it measures each stack's path to the database, not the framework's floor: an SQLAlchemy "
    "AsyncSession over asyncpg on FastAPI, a cursor on the worker's kept psycopg connection on "
    "DRF. The bare apps take the same paths: compare their ratio above. (A JSON hello with no "
    "database, measured earlier on this machine, was 3.6× in FastAPI's favour.)",
    "items": "Per request, the stack authenticates the bearer token (decoding it and loading the "
    "user: one query), counts the user's items for the pagination links (a COUNT query), then "
    "reads the page, through its middleware and filter, search and ordering parameters; the bare "
    "app runs one query and no middleware. Three database round trips instead of one are the "
    "floor of this overhead; the profile shows where the rest goes.",
    "copy": "`copier copy` starts Python and imports copier (the `_find_and_load` line below), "
    "clones the template with git and renders each file; copier 9.19 also runs `git config` once "
    "per rendered file (`_sync_git_index_executable_bit`, added by copier-org/copier#2605), so the "
    "stack with the most files takes longest. The template cannot remove these costs, only render "
    "fewer files.",
    "io": "A sync gunicorn worker serves one request at a time, so the drf stack's ceiling here "
    "is 1 / 0.05 s = 20 requests/s per worker whatever the framework. A FastAPI worker's ceiling "
    "is its CPU per request, and the stack has one more: the request's database session, opened "
    "by authentication, keeps its pooled connection while the request waits on the upstream, "
    "and SQLAlchemy's default pool has 5 + 10 overflow connections, so at most 15 requests wait "
    "at once: 15 / 0.05 s = 300 requests/s (the asyncpg connects in the profile are overflow "
    "connections opened and closed again). The bare app has no database in this call.",
}


def machine(load_before: tuple[float, float, float]) -> dict[str, str]:
    meminfo = Path("/proc/meminfo").read_text().split()
    memory_gib = int(meminfo[meminfo.index("MemTotal:") + 1]) / 1024**2
    cpuinfo = Path("/proc/cpuinfo").read_text()
    model = next(
        (line.split(":", 1)[1].strip() for line in cpuinfo.splitlines() if "model name" in line),
        platform.processor() or "unknown",
    )
    return {
        "CPU": f"{model}, {os.cpu_count()} cores",
        "Memory": f"{memory_gib:.1f} GiB",
        "OS": f"{platform.system()} {platform.release()}",
        "Load average before the run": " / ".join(f"{x:.2f}" for x in load_before),
        "Date (UTC)": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M"),
    }


def busy_warning(load_before: tuple[float, float, float]) -> list[str]:
    """Other work on the machine skews every figure: say so at the top when it was there in
    the minutes before the run (the 1- and 5-minute load averages)."""
    load = max(load_before[:2])
    if load < 0.5 * (os.cpu_count() or 1):
        return []
    return [
        f"**This run shared the machine with other work** (load average up to {load:.2f} on "
        f"{os.cpu_count()} cores in the five minutes before it started): read the figures as "
        "rough, and run the command again on a quiet machine.",
        "",
    ]


def ratio(a: float, b: float) -> float | None:
    return a / b if b else None


def fmt_ratio(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}×"


def verdicts(results, stacks: list[str]) -> list[tuple[str, str, bool, str]]:
    """(target, measured, met, case or stack the profile belongs to)."""
    m, rows = results.measures, []
    if {"drf", "fastapi"} <= set(stacks):
        for key, goal, title in (
            ("health", TARGET_HEALTH, "FastAPI stack ≥ 3× DRF stack on GET /health"),
            ("io", TARGET_IO, "FastAPI stack ≥ 10× DRF stack per worker on the I/O-bound call"),
        ):
            value = ratio(m["fastapi"][key].rps, m["drf"][key].rps)
            rows.append((title, fmt_ratio(value), value is not None and value >= goal, key))
    for stack in stacks:
        value = ratio(m[stack]["items"].rps, m[f"{stack} bare"]["items"].rps)
        title = f"{stack} stack ≥ 80% of its bare app on GET /api/items"
        shown = "n/a" if value is None else f"{100 * value:.0f}%"
        rows.append((title, shown, value is not None and value >= TARGET_WIRING, f"items:{stack}"))
    for stack, timing in results.timings.items():
        title = f"`copier copy` of the {stack} stack < 1 s"
        rows.append((title, f"{timing.copy:.2f} s", timing.copy < TARGET_COPY, f"copy:{stack}"))
    return rows


def table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return lines + ["| " + " | ".join(row) + " |" for row in rows]


def profile_sections(results, verdict_rows) -> list[str]:
    out = []
    for title, _, met, subject in verdict_rows:
        if met:
            continue
        out += ["", f"### Missed: {title}", ""]
        kind, _, stack = subject.partition(":")
        if kind in STRUCTURE:
            out += [STRUCTURE[kind], ""]
        if kind == "copy":
            texts = {f"cProfile of `copier copy` ({stack})": results.copy_profiles.get(stack)}
        elif kind == "items":
            texts = {f"py-spy, {stack} stack, GET /api/items": results.profiles.get((stack, kind))}
        else:
            texts = {
                f"py-spy, {s} stack, {kind}": results.profiles.get((s, kind))
                for s in ("fastapi", "drf")
            }
        for caption, text in texts.items():
            out += [f"{caption}:", "", "```", text or "(not profiled in this mode)", "```", ""]
    return out


def markdown(results, cases, stacks, command, load_before) -> str:
    m, mode = results.measures, results.mode
    lines = [
        "# Benchmarks",
        "",
        f"Written by `{command}` (from the template repository's root); do not edit by hand, run "
        "it again. Numbers are requests per second and latency percentiles measured by wrk on "
        "loopback, on the machine below.",
        "",
        *busy_warning(load_before),
        "## Machine and versions",
        "",
        *table(["", ""], [[k, v] for k, v in machine(load_before).items()]),
        "",
        *table(["Package", "Version"], [[k, v] for k, v in sorted(results.versions.items())]),
        "",
        "## Method",
        "",
        "- Each stack is rendered with default answers (`copier copy --defaults`), installed with "
        "`uv sync`, migrated, and started with its production server command on 127.0.0.1 with "
        "**one worker** (gunicorn sync worker for DRF, uvicorn for FastAPI): every figure is per "
        "worker. The bare app of the same framework (`bench/bare/`) runs with the same command "
        "and the same installed packages, without the stack's auth, middleware and settings.",
        f"- Database: {results.database}, a fresh database per server, seeded with one user and 20 "
        "items through the project's own API (`POST /api/auth/register`, `/api/auth/token`, "
        "`/api/items`).",
        f"- wrk, one thread, {mode.seconds:g} s per case after {mode.warmup:g} s of warm-up; "
        + ", ".join(f"{c.title}: {c.connections} connections" for c in cases)
        + ". GET /api/items and the I/O-bound call send the user's bearer token.",
        "- The I/O-bound call (`GET /api/bench/upstream`) is benchmark-only: the generated "
        "projects have no such endpoint, so the benchmark serves it from `bench/overlay/` next to "
        "the project's own URLs, behind the project's own authentication: a DRF view calling the "
        "upstream with a sync client (urllib) and a FastAPI async endpoint using an async client "
        "(httpx2, the maintained fork of httpx; `bench/stacks.py` says why not httpx). The "
        "upstream is a local asyncio stub answering after 50 ms.",
        "",
        "## Results",
        "",
        "![Requests per second per call](benchmarks.png)",
        "",
    ]
    rows = []
    for case in cases:
        for server, cases_measured in m.items():
            x = cases_measured[case.key]
            errors = x.non2xx + x.socket_errors
            rows.append(
                [
                    case.title,
                    server,
                    f"{x.rps:,.0f}",
                    f"{x.p50_ms:,.1f}",
                    f"{x.p99_ms:,.1f}",
                    f"{x.requests:,}",
                    str(errors),
                ]
            )
    header = ["Call", "Server", "Requests/s", "p50 ms", "p99 ms", "Requests", "Errors"]
    lines += [*table(header, rows), ""]
    lines += ["Errors: answers other than 2xx plus socket errors and timeouts (30 s).", ""]

    if {"drf", "fastapi"} <= set(stacks):
        lines += ["## FastAPI / DRF, per call", ""]
        rows = [
            [
                c.title,
                fmt_ratio(ratio(m["fastapi"][c.key].rps, m["drf"][c.key].rps)),
                fmt_ratio(ratio(m["fastapi bare"][c.key].rps, m["drf bare"][c.key].rps)),
            ]
            for c in cases
        ]
        lines += [*table(["Call", "Stacks", "Bare apps"], rows), ""]

    lines += ["## Wiring overhead: each stack against its bare app", ""]
    rows = []
    for c in cases:
        row = [c.title]
        for stack in stacks:
            share = ratio(m[stack][c.key].rps, m[f"{stack} bare"][c.key].rps)
            row.append(
                "n/a" if share is None else f"{100 * share:.0f}% ({100 * (1 - share):+.0f}%)"
            )
        rows.append(row)
    header = ["Call", *(f"{s}: stack / bare (overhead)" for s in stacks)]
    lines += [*table(header, rows), ""]

    if results.timings:
        lines += ["## From `copier copy` to a green test run (warm uv cache)", ""]
        rows = [
            [stack, f"{t.copy:.2f} s", f"{t.sync:.1f} s", f"{t.tests:.1f} s", f"{t.total:.1f} s"]
            for stack, t in results.timings.items()
        ]
        header = ["Stack", "`copier copy`", "`uv sync`", "`uv run pytest`", "Total"]
        lines += [*table(header, rows), ""]
        lines += [
            "`copier copy` is the command line a user runs (`copier copy --defaults --data ... "
            "--vcs-ref HEAD`): the best of three runs after a first one, so that Python's "
            "bytecode cache is warm as on any machine after the first run. Then `uv sync` (uv's "
            "cache warm) and the generated project's own test suite.",
            "",
        ]

    verdict_rows = verdicts(results, stacks)
    lines += ["## Targets", ""]
    rows = [
        [title, measured, "met" if met else "**missed**"]
        for title, measured, met, _ in verdict_rows
    ]
    lines += table(["Target", "Measured", "Verdict"], rows)
    lines += profile_sections(results, verdict_rows)
    return "\n".join(lines).rstrip() + "\n"


def chart(results, cases, path: Path) -> bool:
    """Requests per second, one panel per call (their scales differ by orders of magnitude)."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    servers = list(results.measures)
    colors = ["#9ecae1" if s.endswith("bare") else "#3182bd" for s in servers]
    fig, axes = plt.subplots(1, len(cases), figsize=(4.2 * len(cases), 3.8))
    for ax, case in zip(axes, cases, strict=True):
        values = [results.measures[s][case.key].rps for s in servers]
        bars = ax.bar(servers, values, color=colors)
        ax.bar_label(bars, labels=[f"{v:,.0f}" for v in values], fontsize=8)
        ax.set_title(f"{case.title}\n{case.connections} connections", fontsize=9)
        ax.set_ylabel("requests/s (one worker)")
        ax.tick_params(axis="x", labelrotation=30, labelsize=8)
        ax.margins(y=0.15)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return True


def write(results, cases, stacks, out: Path, command: str, load_before) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    report = out / "benchmarks.md"
    report.write_text(markdown(results, cases, stacks, command, load_before))
    written = [report]
    if chart(results, cases, out / "benchmarks.png"):
        written.append(out / "benchmarks.png")
    return written
