"""Plumbing the template's tests share: render, run commands, start servers, speak HTTP."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import copier

TEMPLATE = Path(__file__).resolve().parents[1]
POSTGRES_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/test"

DEFAULT_ANSWERS = {
    "project_name": "Acme Analytics",
    "author_name": "Acme Team",
    "author_email": "founders@acme.test",
}


def render(dst: Path, **answers) -> Path:
    """Copy the template's work tree (HEAD plus uncommitted changes) to dst, without a terminal."""
    copier.run_copy(
        str(TEMPLATE),
        str(dst),
        data={**DEFAULT_ANSWERS, **answers},
        defaults=True,
        vcs_ref="HEAD",
        quiet=True,
    )
    return dst


def project_env(**extra: str) -> dict[str, str]:
    """The environment a generated project's commands run in: Python 3.11 from this machine,
    never a downloaded interpreter, and not the template's own virtualenv."""
    env = {k: v for k, v in os.environ.items() if k not in {"VIRTUAL_ENV", "DATABASE_URL"}}
    env.update(UV_PYTHON_DOWNLOADS="never", UV_PYTHON="3.11", UV_NO_PROGRESS="1")
    env.update(UV_COMPILE_BYTECODE="1")  # compile once at install, not on every start
    env.update(extra)
    return env


def run(cmd: list[str] | str, cwd: Path, timeout: float = 600, **env: str):
    """Run a command in a generated project; fail with its whole output when it fails."""
    result = subprocess.run(
        cmd,
        cwd=cwd,
        env=project_env(**env),
        shell=isinstance(cmd, str),
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if result.returncode != 0:
        raise AssertionError(
            f"`{cmd}` exited {result.returncode} in {cwd}\n"
            f"--- stdout ---\n{result.stdout[-8000:]}\n--- stderr ---\n{result.stderr[-8000:]}"
        )
    return result


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def postgres_available() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 5432), timeout=1):
            return shutil.which("psql") is not None
    except OSError:
        return False


def psql(url: str, sql: str) -> str:
    """Run SQL with psql on the local PostgreSQL; return its unaligned, tuples-only output."""
    result = subprocess.run(
        ["psql", url, "-v", "ON_ERROR_STOP=1", "-qAtc", sql],
        check=True,
        capture_output=True,
        text=True,
    )
    return result.stdout.strip()


def fresh_postgres_database(name: str, prefix: str = "test_") -> str:
    """Drop and create the database <prefix><name>_<process id> on the local PostgreSQL; return
    its URL. The process id keeps pytest processes that run side by side (.ci/run's parts,
    another session on this machine) off each other's databases."""
    name = f"{prefix}{name}_{os.getpid()}"
    psql(POSTGRES_ADMIN_URL, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    psql(POSTGRES_ADMIN_URL, f'CREATE DATABASE "{name}"')
    return f"postgresql://postgres@127.0.0.1:5432/{name}"


def database_name(url: str) -> str:
    return url.rsplit("/", 1)[1]


def scratch_copy(project: Path, dst: Path) -> Path:
    """A private copy of an installed project that a test may change: its files without the
    virtualenv or local database, installed again (seconds, from uv's warm cache)."""
    ignore = shutil.ignore_patterns(".venv", "*.sqlite3", "__pycache__", ".*_cache")
    shutil.copytree(project, dst, ignore=ignore)
    run(["uv", "sync"], dst)
    return dst


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode()

    def json(self):
        return json.loads(self.body)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect is answered as it is (its status and Location), not followed."""

    def redirect_request(self, *args, **kwargs):
        return None


def http(
    method: str,
    url: str,
    body=None,
    token: str | None = None,
    timeout: float = 30,
    follow_redirects: bool = True,
    raw: bytes | None = None,
    content_type: str = "application/json",
    headers: dict[str, str] | None = None,
):
    """One HTTP request; 4xx and 5xx are returned, not raised. Redirects are followed unless
    follow_redirects is false. Header names are lowercase. `raw` sends those bytes as the body
    instead of `body` as JSON, with `content_type`; `headers` are sent as well."""
    data = json.dumps(body).encode() if body is not None else raw
    request = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    if data is not None:
        request.add_header("Content-Type", content_type)
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    opener = urllib.request.build_opener(*([] if follow_redirects else [NoRedirect]))
    try:
        with opener.open(request, timeout=timeout) as reply:
            return Response(reply.status, lowercase(reply.headers), reply.read())
    except urllib.error.HTTPError as error:
        return Response(error.code, lowercase(error.headers), error.read())


def lowercase(headers) -> dict[str, str]:
    return {name.lower(): value for name, value in headers.items()}


def wait_for(
    url: str,
    timeout: float = 60,
    process: subprocess.Popen | None = None,
    log: Path | None = None,
) -> None:
    """Wait until `url` answers; fail early, with the server's output, if its process exits."""

    def output() -> str:
        return log.read_text() if log else ""

    deadline = time.monotonic() + timeout
    while True:
        if process is not None and process.poll() is not None:
            raise AssertionError(f"server exited {process.returncode}:\n{output()}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            if time.monotonic() > deadline:
                message = f"{url} did not answer in {timeout}s:\n{output()}"
                raise AssertionError(message) from None
            time.sleep(0.2)


@contextmanager
def server(cmd: list[str] | str, cwd: Path, url: str, timeout: float = 60, **env: str):
    """Start a server, wait until `url` answers, yield, then stop it and its workers."""
    log = Path(tempfile.mkstemp(prefix="stackwise-server-", suffix=".log")[1])
    with log.open("w") as out:
        process = subprocess.Popen(
            cmd,
            cwd=cwd,
            env=project_env(**env),
            shell=isinstance(cmd, str),
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        wait_for(url, timeout, process, log)
        yield process
    finally:
        stop(process)
        log.unlink(missing_ok=True)


def stop(process: subprocess.Popen) -> None:
    """Stop a server and the workers in its session; it may have died on its own already."""
    try:
        os.killpg(process.pid, 15)
        process.wait(timeout=15)
    except ProcessLookupError:
        pass
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, 9)
    process.wait()


GIT_IDENTITY = {
    "GIT_AUTHOR_NAME": "stackwise tests",
    "GIT_AUTHOR_EMAIL": "tests@stackwise.test",
    "GIT_COMMITTER_NAME": "stackwise tests",
    "GIT_COMMITTER_EMAIL": "tests@stackwise.test",
}


def git(cwd: Path, *args: str) -> str:
    return run(["git", *args], cwd, **GIT_IDENTITY).stdout


def commit_all(repo: Path, message: str) -> None:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "--no-verify", "-m", message)


def snapshot_template(dst: Path) -> Path:
    """A throwaway git copy of the template's work tree (tracked and untracked, not ignored
    files), so a test can tag releases and move them forward without touching this repository."""
    listed = git(TEMPLATE, "ls-files", "-z", "--cached", "--others", "--exclude-standard")
    for name in filter(None, listed.split("\0")):
        source = TEMPLATE / name
        if not source.exists() and not source.is_symlink():
            continue  # deleted in the work tree, not yet committed
        target = dst / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target, follow_symlinks=False)
    git(dst, "init", "-q", "-b", "main")
    commit_all(dst, "template snapshot")
    return dst


def generate_committed(template: Path | str, dst: Path, stack: str, ref: str) -> Path:
    """Generate a project from `template` at `ref`, as its owner would: in a git repository with
    the first commit made, ready for `copier update`."""
    copier.run_copy(
        str(template),
        str(dst),
        data={**DEFAULT_ANSWERS, "stack": stack},
        defaults=True,
        vcs_ref=ref,
        quiet=True,
    )
    git(dst, "init", "-q", "-b", "main")
    commit_all(dst, "generated")
    return dst
