"""``mlreport pr create``: commit what a job produced (a model card, dvc.lock, metrics) to a
branch and open a pull/merge request for it -- how scheduled retraining lands.

Everything goes through the platform's API (:meth:`Platform.commit_files`): no git push, no
credentials in a remote. Only files that differ are sent; when none differs from the base
there is no branch and no pull request (exit 0, with a note). A branch that exists is built
on, and its open pull request updated rather than another opened. The body is the report
(``--report DIR``: its report.md, images hosted as ``publish`` hosts them) or ``--body``.
"""

from __future__ import annotations

import re
import stat
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import click

from mlreport import git, redact
from mlreport.console import one_line
from mlreport.errors import InputError, UsageError
from mlreport.platforms.base import NothingToPropose, Platform, StoredFile
from mlreport.platforms.connect import connect
from mlreport.platforms.context import PublishOptions, resolve
from mlreport.platforms.marker import defuse, truncate

MAX_FILE = 100 * 1024 * 1024  # GitHub's largest blob through the API (GitLab's is larger)


@dataclass(frozen=True)
class ProposeOptions:
    paths: tuple[str, ...]
    branch: str | None = None  # default: mlreport/pr-<base commit>
    into: str | None = None  # the branch the pull request goes into (default: the current one)
    base_sha: str | None = None  # the commit the branch starts from (default: HEAD)
    title: str | None = None
    message: str | None = None
    report: Path | None = None
    body: str | None = None
    labels: tuple[str, ...] = ()
    draft: bool = False
    auto_merge: bool = False


def collect(paths: Sequence[str], root: Path) -> list[StoredFile]:
    """The regular files *paths* name (directories: every file under them, .git left out),
    each named by its path from *root*, the repository's top."""
    found: dict[str, StoredFile] = {}
    for given in paths:
        path = Path(given).absolute()
        try:
            inside = path.resolve().relative_to(root.resolve())
        except ValueError:
            raise InputError(
                given, "is outside the repository", f"name files under {root}"
            ) from None
        if path.is_symlink() and not path.is_dir():
            raise InputError(given, "is a symbolic link", "name the file it points to")
        if not path.exists():
            raise InputError(given, "does not exist", "name files or folders to commit")
        files = (
            [path]
            if path.is_file()
            else sorted(
                p
                for p in path.rglob("*")
                if p.is_file() and not p.is_symlink() and ".git" not in p.relative_to(path).parts
            )
        )
        for file in files:
            name = (
                (inside / file.relative_to(path)).as_posix() if file != path else inside.as_posix()
            )
            found[name] = _stored(file, name)
    return [found[name] for name in sorted(found)]


def _stored(file: Path, name: str) -> StoredFile:
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        shown = name.encode("utf-8", "replace").decode("utf-8")
        raise InputError(
            shown, "has a name that is not UTF-8", "rename it: Git platforms take UTF-8 paths"
        ) from None
    info = file.stat()
    if info.st_size > MAX_FILE:
        raise InputError(
            file,
            f"is {info.st_size / 2**20:.0f} MB: the platforms' APIs take files up to 100 MB",
            "keep large files in DVC or Git LFS and commit their pointers (dvc.lock, .dvc)",
        )
    try:
        data = file.read_bytes()
    except OSError as exc:
        raise InputError(file, f"cannot be read ({exc.strerror})") from None
    return StoredFile(name, data, bool(info.st_mode & stat.S_IXUSR))


def create(options: ProposeOptions, publish: PublishOptions, environ: Mapping[str, str]) -> None:
    """Commit *options.paths* and open (or update) the pull request; see the module."""
    root = Path(git.output("rev-parse", "--show-toplevel") or ".")
    files = collect(options.paths, root)
    if not files:
        click.echo("mlreport: nothing to commit: no file under " + ", ".join(options.paths))
        return
    context = resolve(publish, environ)
    if context.token:
        redact.current().add(context.token)  # whatever its source, it is never printed
    if context.platform == "local":
        raise UsageError(
            "pr create opens a pull request on GitHub or GitLab",
            "pass --platform github or gitlab (in CI it is found from the environment)",
        )
    platform = connect(context, publish, Path("."))
    try:
        _create(platform, options, files, context.target.sha, environ)
    finally:
        platform.close()


def _create(
    platform: Platform,
    options: ProposeOptions,
    files: list[StoredFile],
    head_sha: str | None,
    environ: Mapping[str, str],
) -> None:
    base = options.base_sha or head_sha or git.head()
    if not base:
        raise UsageError("cannot tell which commit to start from", "pass --base-sha SHA")
    into = options.into or current_branch(environ) or platform.default_branch()
    branch = options.branch or f"mlreport/pr-{base[:12]}"
    if not valid_branch(branch):
        raise UsageError(f"--branch {branch!r} is not a valid branch name", "e.g. retrain/daily")
    if branch == into:
        raise UsageError(
            f"--branch {branch} is the branch the pull request goes into", "name another"
        )
    names = ", ".join(options.paths)
    message = options.message or f"mlreport: update {names}"
    committed = platform.commit_files(branch, base, files, message)
    if committed.head is None:
        click.echo(
            f"mlreport: nothing to commit: {one_line(names)} as in {base[:12]}; no pull request"
        )
        return
    if committed.written:
        made = "a new branch" if committed.created else "the branch"
        click.echo(
            f"mlreport: committed {len(committed.written)} file(s) to {made} {branch} "
            f"({committed.head[:12]})"
        )
    else:
        click.echo(f"mlreport: the {branch} branch already has these files")
    title = options.title or message.splitlines()[0]
    body = truncate(_body(platform, options, files), platform.max_body, "> ✂️ Cut to fit.")
    try:
        proposal = platform.propose(branch, into, title, body, options.labels, options.draft)
    except NothingToPropose as exc:
        click.echo(f"mlreport: no pull request: {one_line(exc.message)}")
        return
    noun = "merge request !" if platform.name == "gitlab" else "pull request #"
    done = "opened" if proposal.created else "updated"
    click.echo(f"mlreport: {done} {noun}{proposal.number} ({branch} into {into}): {proposal.url}")
    if options.auto_merge:
        click.echo(f"mlreport: {platform.auto_merge(proposal)}")


def valid_branch(name: str) -> bool:
    """Git's rules for a branch name (``git check-ref-format --branch``), without git."""
    bad = re.search(r"[\x00-\x20\x7f~^:?*\[\\]|\.\.|@\{|//|/\.|\.lock(/|$)", name)
    return (
        bool(name)
        and not bad
        and not name.startswith(("-", "/", "."))
        and not name.endswith(("/", "."))
        and name != "@"
    )


def current_branch(environ: Mapping[str, str]) -> str | None:
    """The branch this job runs on: a pull request's head branch, the pushed branch, or git's."""
    if environ.get("GITHUB_HEAD_REF"):
        return environ["GITHUB_HEAD_REF"]
    if environ.get("GITHUB_REF", "").startswith("refs/heads/"):
        return environ["GITHUB_REF"].removeprefix("refs/heads/")
    for name in ("CI_MERGE_REQUEST_SOURCE_BRANCH_NAME", "CI_COMMIT_BRANCH", "BRANCH_NAME"):
        if environ.get(name):
            return environ[name]
    found = git.output("rev-parse", "--abbrev-ref", "HEAD")
    return found if found and found != "HEAD" else None


def _body(platform: Platform, options: ProposeOptions, files: list[StoredFile]) -> str:
    if options.report is not None:
        from mlreport.inputs.report import read_report
        from mlreport.publish import with_images

        report = read_report(options.report)
        hosted = platform.host_images(report.images)
        hosted.finish()
        text = with_images(report.markdown, hosted.urls)
    elif options.body is not None:
        text = options.body
    else:
        from mlreport.report.markdown import code_span

        listed = "\n".join(f"- {code_span(f.path)}" for f in files[:50])
        more = f"\n- … and {len(files) - 50} more" if len(files) > 50 else ""
        text = f"Committed by `mlreport pr create`:\n\n{listed}{more}\n"
    return redact.current().text(defuse(text))
