"""Write the stubs through which the hybrid stack shares files with drf (and fastapi).

The hybrid stack is the drf project plus a realtime service: it shares every file of
templates/drf/ unless templates/hybrid/ has its own file at that path, and its realtime service
reuses five modules of the fastapi stack. Each shared file is ONE source; hybrid holds a small
Jinja stub that includes it (copier's Jinja loader is rooted at the template root). Stubs, unlike
symlinks, survive a checkout without symlink support (Windows' default core.symlinks=false).

    uv run python tests/hybrid_stubs.py          # (re)write the stubs after adding a drf file
    uv run python tests/hybrid_stubs.py --check  # list what is out of date; exit 1 if anything
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COMMAND = "uv run python tests/hybrid_stubs.py"
SUFFIX = ".jinja"

# The realtime service's modules that are the fastapi stack's, unchanged.
FROM_FASTAPI = {
    f"services/realtime/realtime/{name}.py": f"{{{{ project_slug }}}}/core/{name}.py"
    for name in ("database_url", "docs", "errors", "http", "https", "proxies")
}

# The first line tells a reader where to edit; `-#}` and `-%}` swallow the stub's own newlines,
# so the stub renders to exactly what the included file renders to.
MARK = "{#- hybrid shares "


def stub(source: str) -> str:
    return (
        f"{MARK}{source}: edit that file. Written by {COMMAND} -#}}\n{{% include '{source}' -%}}\n"
    )


JINJA_MARKERS = ("{{", "{%", "{#")


class SharedFileError(ValueError):
    """A source file that cannot be shared through a Jinja include."""


def _stub_text(root: Path, source: str) -> str:
    """The stub that includes `source` (a path from the template root); refuse what Jinja would
    change: binary files, and plain (non-.jinja) files that contain Jinja markers."""
    data = (root / source).read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = None
    if text is None or "\0" in text:
        raise SharedFileError(
            f"{source} is a binary file: an include would render it through Jinja and break it. "
            "Give templates/hybrid its own copy at that path instead."
        )
    if not source.endswith(SUFFIX) and any(marker in text for marker in JINJA_MARKERS):
        raise SharedFileError(
            f"{source} is copied verbatim but contains Jinja markers ({', '.join(JINJA_MARKERS)}): "
            f"an include would render them. Rename it to {Path(source).name}{SUFFIX} with "
            "{% raw %}…{% endraw %} around them, or give templates/hybrid its own copy."
        )
    return stub(source)


def _destination(path: str) -> str:
    """Where copier writes a template file: its path without the .jinja suffix."""
    return path.removesuffix(SUFFIX)


def _files(folder: Path) -> list[str]:
    skip = {"__pycache__", ".DS_Store"}
    return sorted(
        path.relative_to(folder).as_posix()
        for path in folder.rglob("*")
        if (path.is_file() or path.is_symlink()) and not skip & set(path.parts)
    )


def is_stub(path: Path) -> bool:
    if path.is_symlink() or not path.is_file():
        return False
    with path.open("rb") as file:
        return file.read(len(MARK)) == MARK.encode()


def expected(root: Path = ROOT) -> dict[str, tuple[str, bool]]:
    """{stub path in templates/hybrid: (text, executable)} for every file hybrid shares."""
    hybrid = root / "templates/hybrid"
    own = {
        _destination(name)
        for name in _files(hybrid)
        if not (hybrid / name).is_symlink() and not is_stub(hybrid / name)
    }
    shared = {
        dst: f"templates/drf/{name}"
        for name in _files(root / "templates/drf")
        if (dst := _destination(name)) not in own
    }
    shared.update(
        (dst, f"templates/fastapi/{source}")
        for dst, source in FROM_FASTAPI.items()
        if dst not in own
    )
    return {
        dst + SUFFIX: (_stub_text(root, source), bool((root / source).stat().st_mode & 0o111))
        for dst, source in sorted(shared.items())
    }


def problems(root: Path = ROOT) -> list[str]:
    """What is out of step between templates/hybrid and its sources, one line each."""
    hybrid = root / "templates/hybrid"
    wanted = expected(root)
    found: list[str] = []
    for name in _files(hybrid):
        path = hybrid / name
        if path.is_symlink():
            found.append(f"symlink (breaks on checkouts without symlinks): templates/hybrid/{name}")
        elif is_stub(path) and name not in wanted:
            found.append(
                f"extra stub (no source, or hybrid has its own file): templates/hybrid/{name}"
            )
    for name, (text, executable) in wanted.items():
        path = hybrid / name
        if path.is_symlink() or not path.is_file():
            found.append(f"missing stub: templates/hybrid/{name}")
        elif path.read_text() != text or bool(path.stat().st_mode & 0o111) != executable:
            found.append(f"stale stub (text or executable bit): templates/hybrid/{name}")
    return found


def write(root: Path = ROOT) -> list[str]:
    """Replace symlinks and stale stubs under templates/hybrid; return what changed."""
    hybrid = root / "templates/hybrid"
    wanted = expected(root)  # before touching anything: a refused source changes nothing
    changed = problems(root)
    for name in _files(hybrid):
        path = hybrid / name
        if path.is_symlink() or (is_stub(path) and name not in wanted):
            path.unlink()
    for folder in sorted((p for p in hybrid.rglob("*") if p.is_dir()), reverse=True):
        if not any(folder.iterdir()):
            folder.rmdir()
    for name, (text, executable) in wanted.items():
        path = hybrid / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        path.chmod(0o755 if executable else 0o644)
    return changed


def main(argv: list[str]) -> int:
    try:
        if "--check" in argv:
            found = problems()
            print("\n".join(found) or "templates/hybrid is in step with its sources.")
            return 1 if found else 0
        print("\n".join(write()) or "Nothing to do.")
    except SharedFileError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
