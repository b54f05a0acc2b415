"""The benchmark cannot rot: its short mode drives every call against each generated stack and
its bare app and every answer is a 2xx. Speed is not asserted here: docs/benchmarks.md holds the
numbers of a full run on a quiet machine (`uv run --with matplotlib --with py-spy python -m bench`).
"""

from __future__ import annotations

import sys

import pytest
from harness import TEMPLATE

sys.path.insert(0, str(TEMPLATE))

from bench import report, wrk  # noqa: E402
from bench import run as bench  # noqa: E402

STACKS = ["drf", "fastapi"]


@pytest.fixture(scope="module")
def upstream():
    wrk.ensure_wrk()  # Debian's wrk, installed on a fresh machine
    with bench.upstream() as url:
        yield url


@pytest.mark.slow
@pytest.mark.parametrize("stack", STACKS)
def test_short_run_answers_every_call(installed, upstream, tmp_path, stack):
    results = bench.Results(bench.SHORT, database="as available")
    bench.measure_stack(stack, installed(stack), upstream, bench.SHORT, tmp_path, results)

    for server in (stack, bench.bare_label(stack)):
        for case in bench.CASES:
            measure = results.measures[server][case.key]
            assert measure.requests > 0, (server, case.key, measure)
            assert measure.non2xx == 0, (server, case.key, measure)
            assert measure.socket_errors == 0, (server, case.key, measure)

    written = report.write(
        results, bench.CASES, [stack], tmp_path, "python -m bench --short", (0, 0, 0)
    )
    text = written[0].read_text()
    for case in bench.CASES:
        for server in (stack, bench.bare_label(stack)):
            assert f"| {case.title} | {server} |" in text, text
