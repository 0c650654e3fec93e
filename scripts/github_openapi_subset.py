#!/usr/bin/env python3
"""Write tests/fakes/openapi/github.json: the part of GitHub's REST API that mlreport uses.

The source is GitHub's official OpenAPI description as published on npm by Octokit
(``@octokit/openapi``, file ``generated/api.github.com.json``, OpenAPI 3.0). This script keeps the
operations listed in OPERATIONS and every component they reference, transitively (schemas,
parameters, responses, headers), and drops what only documents (``examples``, ``example``,
``x-github``, ``x-octokit``, tags) so the file stays small. The fake GitHub server in tests/fakes
validates every request it receives and every response it sends against the result.

Usage::

    python scripts/github_openapi_subset.py                      # npm pack @octokit/openapi@VERSION
    python scripts/github_openapi_subset.py --package-dir DIR    # an unpacked package (its root)

Needs ``npm`` on PATH unless --package-dir is given. Prints the output's size and operation count.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path
from typing import Any

PACKAGE = "@octokit/openapi"
VERSION = "23.0.2"
SOURCE_FILE = "generated/api.github.com.json"
OUTPUT = Path(__file__).resolve().parent.parent / "tests" / "fakes" / "openapi" / "github.json"

_RUNNERS = ("generate-jitconfig", "registration-token")
OPERATIONS: dict[str, tuple[str, ...]] = {
    "/user": ("get",),  # who the token is: the author of the comments that are mlreport's
    # issue and pull-request comments (sticky comments)
    "/repos/{owner}/{repo}/issues/{issue_number}/comments": ("get", "post"),
    "/repos/{owner}/{repo}/issues/comments/{comment_id}": ("patch", "delete"),
    "/repos/{owner}/{repo}/issues/{issue_number}": ("get",),
    # commit comments
    "/repos/{owner}/{repo}/commits/{commit_sha}/comments": ("get", "post"),
    "/repos/{owner}/{repo}/comments/{comment_id}": ("patch", "delete"),
    # pull requests and repositories
    "/repos/{owner}/{repo}/pulls/{pull_number}": ("get", "patch"),
    # mlreport pr create: open (or find and update) a pull request, label it
    "/repos/{owner}/{repo}/pulls": ("get", "post"),
    "/repos/{owner}/{repo}/issues/{issue_number}/labels": ("post",),
    # runner cleanup --rerun: the workflow run of a job whose spot runner was reclaimed
    "/repos/{owner}/{repo}/actions/runs/{run_id}": ("get",),
    "/repos/{owner}/{repo}/actions/runs/{run_id}/rerun": ("post",),
    # the open pull request of a pushed commit (push workflows, Jenkins, local runs)
    "/repos/{owner}/{repo}/commits/{commit_sha}/pulls": ("get",),
    "/repos/{owner}/{repo}": ("get",),
    # Git data: an assets branch written without a checkout
    "/repos/{owner}/{repo}/branches/{branch}": ("get",),  # head commit and its tree, at once
    "/repos/{owner}/{repo}/git/ref/{ref}": ("get",),
    "/repos/{owner}/{repo}/git/refs": ("post",),
    "/repos/{owner}/{repo}/git/refs/{ref}": ("patch",),
    "/repos/{owner}/{repo}/git/trees/{tree_sha}": ("get",),
    "/repos/{owner}/{repo}/git/trees": ("post",),
    "/repos/{owner}/{repo}/git/blobs": ("post",),
    "/repos/{owner}/{repo}/git/commits/{commit_sha}": ("get",),
    "/repos/{owner}/{repo}/git/commits": ("post",),
    # records: one file per commit through the contents API, read back as a blob
    "/repos/{owner}/{repo}/contents/{path}": ("put",),
    "/repos/{owner}/{repo}/git/blobs/{file_sha}": ("get",),
    # checks
    "/repos/{owner}/{repo}/check-runs": ("post",),
    # self-hosted runners (a later feature), for a repository and for an organization
    **{f"/repos/{{owner}}/{{repo}}/actions/runners/{name}": ("post",) for name in _RUNNERS},
    "/repos/{owner}/{repo}/actions/runners": ("get",),
    "/repos/{owner}/{repo}/actions/runners/{runner_id}": ("delete",),
    **{f"/orgs/{{org}}/actions/runners/{name}": ("post",) for name in _RUNNERS},
    "/orgs/{org}/actions/runners": ("get",),
    "/orgs/{org}/actions/runners/{runner_id}": ("delete",),
}

# Keys that only document. Dropped wherever they are a keyword of an OpenAPI object (never when
# they name a property, a parameter or another map entry).
_NOISE = frozenset({"examples", "example", "x-github", "x-octokit", "tags"})
# Keys whose value maps arbitrary names to objects: their own keys are names, not keywords.
_NAME_MAPS = frozenset(
    {"properties", "paths", "responses", "headers", "content", "schemas", "parameters", "mapping"}
)


def _strip(node: Any, *, names: bool = False) -> Any:
    if isinstance(node, dict):
        out: dict[str, Any] = {}
        for key, value in node.items():
            if not names and key in _NOISE:
                continue
            out[key] = _strip(value, names=key in _NAME_MAPS and not names)
        return out
    if isinstance(node, list):
        return [_strip(item) for item in node]
    return node


def _refs(node: Any) -> set[str]:
    found: set[str] = set()
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            ref = item.get("$ref")
            if isinstance(ref, str):
                found.add(ref)
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return found


def subset(full: dict[str, Any], package_version: str) -> dict[str, Any]:
    """The subset of *full* (the whole description) for OPERATIONS, with what they reference."""
    paths: dict[str, Any] = {}
    for path, methods in OPERATIONS.items():
        item = full["paths"].get(path)
        if item is None:
            raise SystemExit(f"{path} is not in the description")
        kept = {k: v for k, v in item.items() if k not in {"get", "post", "put", "patch", "delete"}}
        for method in methods:
            if method not in item:
                raise SystemExit(f"{method.upper()} {path} is not in the description")
            kept[method] = item[method]
        paths[path] = _strip(kept)

    components: dict[str, dict[str, Any]] = {}
    pending = _refs(paths)
    seen: set[str] = set()
    while pending:
        ref = pending.pop()
        if ref in seen:
            continue
        seen.add(ref)
        prefix = "#/components/"
        if not ref.startswith(prefix):
            raise SystemExit(f"unsupported $ref {ref!r}")
        kind, _, name = ref[len(prefix) :].partition("/")
        target = _strip(full["components"][kind][name])
        components.setdefault(kind, {})[name] = target
        pending |= _refs(target) - seen

    info = dict(full["info"])
    info["title"] = "GitHub REST API: the subset mlreport uses (fake server contract)"
    info["description"] = (
        "Generated by scripts/github_openapi_subset.py from GitHub's official OpenAPI "
        "description as published by Octokit. Do not edit: run the script again."
    )
    info["x-source"] = {"package": PACKAGE, "version": package_version, "file": SOURCE_FILE}
    return {
        "openapi": full["openapi"],
        "info": info,
        "servers": full.get("servers", [{"url": "https://api.github.com"}]),
        "externalDocs": full.get("externalDocs", {}),
        "paths": paths,
        "components": {
            kind: dict(sorted(items.items())) for kind, items in sorted(components.items())
        },
    }


def _npm_pack(workdir: Path) -> Path:
    spec = f"{PACKAGE}@{VERSION}"
    print(f"npm pack {spec}", file=sys.stderr)
    out = subprocess.run(
        ["npm", "pack", spec, "--silent", "--pack-destination", str(workdir)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    tarball = workdir / out[-1]
    with tarfile.open(tarball) as tar:
        member = tar.getmember(f"package/{SOURCE_FILE}")
        pkg = tar.getmember("package/package.json")
        for item in (member, pkg):  # regular files only: nothing a tarball could abuse
            if not item.isfile():
                raise SystemExit(f"{tarball}: {item.name} is not a regular file")
            source = tar.extractfile(item)
            assert source is not None
            target = workdir / item.name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(source.read())
    return workdir / "package"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--package-dir", type=Path, help="an unpacked @octokit/openapi package")
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as tmp:
        package_dir: Path = args.package_dir or _npm_pack(Path(tmp))
        meta = json.loads((package_dir / "package.json").read_text(encoding="utf-8"))
        if meta.get("name") != PACKAGE:
            raise SystemExit(f"{package_dir} holds {meta.get('name')!r}, not {PACKAGE}")
        full = json.loads((package_dir / SOURCE_FILE).read_text(encoding="utf-8"))
        result = subset(full, meta["version"])

    text = json.dumps(result, indent=1, ensure_ascii=False) + "\n"
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text, encoding="utf-8")
    operations = sum(len(methods) for methods in OPERATIONS.values())
    counts = ", ".join(f"{len(v)} {k}" for k, v in result["components"].items())
    print(
        f"{args.output}: {len(text.encode()):,} bytes, {operations} operations, {counts} "
        f"(from {PACKAGE} {meta['version']})"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
