"""Run a generated Dockerfile's build stage on this machine, which has no container engine.

Only what the generated Dockerfiles use is understood: FROM (the first stage is run, later stages
are read for their WORKDIR and CMD), WORKDIR under /app, ENV, COPY from the build context (with
.dockerignore's top-level names) and RUN. The image's /app is a folder here and its Python is this
machine's 3.11, so this proves the files and commands fit together (uv.lock is copied and
installs with --locked; the static files collect), not that the base image is right.
"""

from __future__ import annotations

import fnmatch
import json
import re
import shlex
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from harness import run

UV_IS_HERE = "pip install --no-cache-dir "  # the image installs uv; this machine has it


@dataclass
class Stage:
    workdir: Path
    env: dict[str, str] = field(default_factory=dict)
    cmd: list[str] = field(default_factory=list)


def instructions(dockerfile: Path) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined, comments dropped."""
    text = re.sub(r"\\\n\s*", "", dockerfile.read_text())
    lines = [line.strip() for line in text.splitlines()]
    return [
        (word.upper(), rest.strip())
        for word, _, rest in (line.partition(" ") for line in lines)
        if word and not word.startswith("#")
    ]


def _ignored(context: Path) -> list[str]:
    ignore = context / ".dockerignore"
    lines = ignore.read_text().splitlines() if ignore.is_file() else []
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def _copy(context: Path, sources: list[str], dest: Path) -> None:
    for source in sources:
        path = context / source
        if not path.exists():  # Docker fails the build the same way
            raise AssertionError(f"COPY {source}: not in the build context {context}")
        if path.is_dir():
            ignored = _ignored(context) if source == "." else []
            for child in path.iterdir():
                if any(fnmatch.fnmatch(child.name, pattern) for pattern in ignored):
                    continue
                target = dest / child.name
                if child.is_dir():
                    shutil.copytree(child, target, dirs_exist_ok=True, symlinks=True)
                else:
                    target.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy2(child, target)
        else:
            target = dest / path.name if dest.is_dir() or str(dest).endswith("/") else dest
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target)


def build(context: Path, dockerfile: Path, app: Path) -> Stage:
    """Run the build stage in `app` (the image's /app); return the final stage's WORKDIR, ENV
    and CMD, mapped onto `app`."""
    stages: list[Stage] = []
    for word, args in instructions(dockerfile):
        if word == "FROM":
            stages.append(Stage(workdir=app))
            continue
        stage, building = stages[-1], len(stages) == 1
        if word == "WORKDIR":
            assert args.startswith("/app"), f"WORKDIR {args}: expected under /app"
            stage.workdir = app / args.removeprefix("/app").lstrip("/")
            stage.workdir.mkdir(parents=True, exist_ok=True)
        elif word == "ENV":
            stage.env.update(pair.split("=", 1) for pair in shlex.split(args))
        elif word == "CMD":
            stage.cmd = json.loads(args)
        elif building and word == "COPY":
            *sources, dest = shlex.split(args)
            target = stage.workdir / dest
            if dest.endswith("/"):
                target.mkdir(parents=True, exist_ok=True)
            _copy(context, sources, target)
        elif building and word == "RUN" and not args.startswith(UV_IS_HERE):
            run(args, stage.workdir, **stage.env)
    return stages[-1]
