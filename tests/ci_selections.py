"""A pytest plugin for tests/test_ci_workflow.py: one collection of the whole suite, then each
selection of STACKWISE_SELECTIONS (a JSON object: name -> [keyword expression, mark expression],
as -k and -m give them) applied by pytest's own -k and -m code, instead of one collection per
selection. It writes {name: [node ids]} (and "everything") as JSON to STACKWISE_SELECTED."""

from __future__ import annotations

import json
import os
from pathlib import Path

from _pytest.mark import deselect_by_keyword, deselect_by_mark


def pytest_collection_finish(session) -> None:
    config = session.config
    selections = json.loads(os.environ["STACKWISE_SELECTIONS"])
    found = {"everything": [item.nodeid for item in session.items]}
    saved = config.option.keyword, config.option.markexpr
    try:
        for name, (keyword, markexpr) in selections.items():
            chosen = list(session.items)
            config.option.keyword, config.option.markexpr = keyword, markexpr
            deselect_by_keyword(chosen, config)
            deselect_by_mark(chosen, config)
            found[name] = [item.nodeid for item in chosen]
    finally:
        config.option.keyword, config.option.markexpr = saved
    Path(os.environ["STACKWISE_SELECTED"]).write_text(json.dumps(found))
