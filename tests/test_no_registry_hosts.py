"""The repository names no package-registry host: mirrors and indexes come from the machine's
own configuration (apt sources, pip's configuration), never from the code, docs, tests or
scripts. Every tracked file is searched (``git ls-files``; without git, the tree minus
``.git``, ``.venv`` and build caches).

The host names are assembled from parts, so that this file, searched like any other, does not
name them either. A container image reference (``<registry>/<namespace>/<name>:<tag>``, e.g. the
Dockerfile's base under the full name podman's short-name alias gives it) names an image, not
an index to fetch from, and is allowed; the registry's API hosts and URLs are not.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# Directories never searched when walking the tree (no git): not the repository's content.
UNTRACKED_DIRS = {
    ".git",
    ".venv",
    "venv",
    "node_modules",
    "__pycache__",
    ".mypy_cache",
    ".ruff_cache",
    ".pytest_cache",
    "build",
    "dist",
}


def _host(*labels: str) -> str:
    return ".".join(labels)


# Registry domains; each also covers its subdomains (test.<PyPI>, <cc>.archive.<Ubuntu>...).
HOSTS = (
    # Python
    _host("pypi", "org"),
    _host("pypi", "python", "org"),
    _host("pythonhosted", "org"),
    # Debian and Ubuntu archives
    _host("deb", "debian", "org"),
    _host("security", "debian", "org"),
    _host("ftp", "debian", "org"),
    _host("httpredir", "debian", "org"),
    _host("snapshot", "debian", "org"),
    _host("archive", "ubuntu", "com"),
    _host("security", "ubuntu", "com"),
    _host("ports", "ubuntu", "com"),
    # JavaScript
    _host("npmjs", "org"),
    _host("npmjs", "com"),
    _host("yarnpkg", "com"),
    # Container registries (image references excepted, see IMAGE_REFERENCE)
    _host("docker", "io"),
    _host("hub", "docker", "com"),
    # Others
    _host("anaconda", "org"),
    _host("repo", "anaconda", "com"),
    _host("crates", "io"),
    _host("proxy", "golang", "org"),
    _host("rubygems", "org"),
    _host("repo1", "maven", "org"),
    _host("repo", "maven", "apache", "org"),
    _host("dl-cdn", "alpinelinux", "org"),
)
# A host (or a subdomain of one) as a whole name: not part of a longer label or domain.
PATTERN = re.compile(
    r"(?<![\w.-])((?:[a-z0-9-]+\.)*(?:"
    + "|".join(re.escape(host) for host in HOSTS)
    + r"))(?![\w-]|\.[a-z0-9])",
    re.IGNORECASE,
)
# An image reference on the bare registry domain: <registry>/<namespace>/<name>[:tag|@digest],
# not a URL (no "//" before it) and not an API host (no subdomain, excluded by PATTERN's match).
IMAGE_REFERENCE = re.compile(r"/[a-z0-9._-]+/[a-z0-9._-]+(?::[\w.-]+|@sha256:[0-9a-f]+)", re.I)
IMAGE_REGISTRIES = {_host("docker", "io")}


def findings(line: str) -> list[str]:
    """The registry hosts a line names (image references excepted)."""
    found = []
    for match in PATTERN.finditer(line):
        host = match.group(1).lower()
        start, end = match.span(1)
        if (
            host in IMAGE_REGISTRIES
            and not line[:start].endswith("//")
            and IMAGE_REFERENCE.match(line, end)
        ):
            continue
        found.append(match.group(1))
    return found


def tracked_files() -> Iterator[Path]:
    """The repository's files: ``git ls-files``, or a walk of the tree without git."""
    try:
        proc = subprocess.run(
            ["git", "-C", str(ROOT), "ls-files", "-z"], capture_output=True, check=False
        )
    except OSError:
        proc = None
    if proc is not None and proc.returncode == 0:
        for name in proc.stdout.decode("utf-8", "surrogateescape").split("\0"):
            if name and (ROOT / name).is_file():  # deleted in the work tree: nothing to read
                yield ROOT / name
        return
    for folder, dirs, files in os.walk(ROOT):
        dirs[:] = sorted(d for d in dirs if d not in UNTRACKED_DIRS and not d.endswith(".egg-info"))
        for name in sorted(files):
            yield Path(folder, name)


def test_the_repository_names_no_registry_host() -> None:
    files = list(tracked_files())
    assert any(path.name == "container-tools" for path in files), "the file list is wrong"
    problems = []
    for path in files:
        data = path.read_bytes()
        if b"\0" in data:  # binary
            continue
        for number, line in enumerate(data.decode("utf-8", "replace").splitlines(), 1):
            for host in findings(line):
                problems.append(f"{path.relative_to(ROOT)}:{number}: {host}: {line.strip()}")
    assert not problems, (
        "package-registry hosts named in the repository (take mirrors and indexes from the "
        "machine's apt sources and pip configuration instead):\n" + "\n".join(problems)
    )


@pytest.mark.parametrize(
    ("line", "found"),
    [
        (f"pip index https://{_host('pypi', 'org')}/simple/", [_host("pypi", "org")]),
        (f"see test.{_host('pypi', 'org')}", [_host("test", "pypi", "org")]),
        (f"URIs: http://{_host('deb', 'debian', 'org')}/debian", [_host("deb", "debian", "org")]),
        (f"{_host('files', 'pythonhosted', 'org')}", [_host("files", "pythonhosted", "org")]),
        (
            f"http://de.{_host('archive', 'ubuntu', 'com')}",
            [_host("de", "archive", "ubuntu", "com")],
        ),
        (f"registry {_host('registry', 'npmjs', 'org')}", [_host("registry", "npmjs", "org")]),
        (f"{_host('registry-1', 'docker', 'io')}/v2/", [_host("registry-1", "docker", "io")]),
        (f"https://{_host('docker', 'io')}/library/python:3", [_host("docker", "io")]),
        (f"login {_host('docker', 'io')}", [_host("docker", "io")]),
        # image references: names of images, allowed
        (f"BASE_IMAGE={_host('docker', 'io')}/library/python:3.12-slim", []),
        (f"podman pull {_host('docker', 'io')}/library/python@sha256:0123abcd", []),
        # not a registry host: a longer domain, a product destination, a word
        (f"{_host('pypi', 'org')}.example", []),
        (f"my{_host('pypi', 'org')}", []),
        ("ghcr.io/<owner>/ml-report:1", []),
        ("the package index pip is configured with", []),
    ],
)
def test_findings(line: str, found: list[str]) -> None:
    assert findings(line) == found
