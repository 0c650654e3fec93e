"""The pull or merge request of a commit: a push, a branch build or a local run knows only
its head commit; the open pull request whose head it is gets the report (CML comments there
too), else the commit, and the note says which."""

from __future__ import annotations

from dataclasses import replace

from mlreport.errors import PlatformError
from mlreport.platforms.base import Platform, Target
from mlreport.platforms.context import Context


def find_pull(platform: Platform, context: Context) -> Context:
    """A head commit as the target (a push, a branch build, a local run): the open pull
    request whose head it is, when there is one -- where CML comments too -- else the commit,
    as the note says."""
    sha = context.target.sha
    if not context.find_pull or not sha or context.platform == "local":
        return context
    kind = "merge request" if context.platform == "gitlab" else "pull request"
    try:
        number = platform.open_pull(sha)
    except PlatformError as exc:
        note = f"no {kind} looked up ({exc}): commenting on commit {sha[:12]}"
        return replace(context, notes=(note,))
    if number is None:
        note = f"no open {kind} has commit {sha[:12]} as its head: commenting on the commit"
        return replace(context, notes=(note,))
    found = Target("pr", number, sha)
    note = f"commit {sha[:12]} is the head of {found.describe(context.platform)}: commenting there"
    return replace(context, target=found, notes=(note,), find_pull=False)
