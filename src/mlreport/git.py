"""git, as mlreport runs it: no prompts, the C locale, in the current directory's repository.

Where the report is (the head commit, the ``origin`` remote's host and repository) and what a
ref holds (``--baseline REF``) both come from here.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path
from urllib.parse import urlsplit


def run(args: list[str], cwd: Path | None = None) -> subprocess.CompletedProcess[bytes] | None:
    """``git ARGS``, its output captured; None when git is not installed."""
    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C"}
    try:
        return subprocess.run(["git", *args], capture_output=True, cwd=cwd, env=env, check=False)
    except FileNotFoundError:
        return None


def output(*args: str) -> str:
    """What ``git ARGS`` prints, stripped; "" when it fails or git is not installed."""
    done = run(list(args))
    if done is None or done.returncode != 0:
        return ""
    return done.stdout.decode(errors="replace").strip()


def head() -> str:
    return output("rev-parse", "HEAD")


def remote() -> tuple[str, str] | None:
    """(host, owner/name or group/sub/project) of the ``origin`` remote."""
    return parse_remote(output("remote", "get-url", "origin"))


def parse_remote(url: str) -> tuple[str, str] | None:
    match = re.match(r"^[\w.-]+@([\w.-]+):(.+?)(?:\.git)?/?$", url)  # git@host:path.git
    if not match:
        parts = urlsplit(url)
        if not parts.hostname or not parts.path.strip("/"):
            return None
        return parts.hostname, re.sub(r"\.git$", "", parts.path.strip("/"))
    return match.group(1), match.group(2)
