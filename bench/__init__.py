"""stackwise's benchmark: render each stack, serve it with its production command on loopback,
drive it with wrk next to a bare app of the same framework, and write docs/benchmarks.md.

Run `uv run --with matplotlib --with py-spy python -m bench` (the full run, about 10 minutes) or
`uv run python -m bench --short` (a few seconds per case, no chart: what the test suite runs).
"""
