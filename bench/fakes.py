"""The fake platforms of the publish bench (``bench/publish.py``): the test suite's fake
GitHub and GitLab (``tests/fakes``, contract checks off, so that only the network is timed),
answering every request LATENCY late, with a pull/merge request to publish to, and records
put where publishing puts them."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # tests/fakes

from tests.fakes.github import FakeGitHub
from tests.fakes.gitlab import FakeGitLab
from tests.fakes.server import FakePlatform

from mlreport import records
from mlreport.platforms.context import PublishOptions
from mlreport.platforms.gitlab_records import commit_message

LATENCY = 0.1
TOKEN = "ghs_bench_token_0000000000"
GITLAB_TOKEN = "glpat-bench-token-0000000000"
REPO, PROJECT = "octo/demo", "group/demo"
ASSETS_BRANCH, RECORDS_BRANCH = "mlreport-assets", "mlreport-records"


Fake = tuple[FakePlatform, PublishOptions, dict[str, str]]  # fake, options, environment


@contextlib.contextmanager
def on_github(run: int, record: bytes | None = None) -> Iterator[Fake]:
    """A fake GitHub with pull request 1 + *run*, the options to publish to it, and the
    environment. *record*: unused here (the assets branch is made by the first publish)."""
    with FakeGitHub(token=TOKEN) as fake:
        fake.validate = False
        fake.add_repo(REPO, permission="write")
        fake.add_pull(REPO, 1 + run, head_sha=f"{run:040x}")
        fake.latency = LATENCY
        env = {"GITHUB_API_URL": fake.api_url, "GITHUB_SERVER_URL": fake.server_url}
        yield fake, PublishOptions(platform="github", repo=REPO, pr=1 + run, token=TOKEN), env


@contextlib.contextmanager
def on_gitlab(run: int, record: bytes | None = None) -> Iterator[Fake]:
    """A fake GitLab with merge request !(1 + *run*); with *record*, a records branch
    holding that as an earlier commit's record."""
    with FakeGitLab(token=GITLAB_TOKEN) as fake:
        fake.validate = False
        fake.add_project(PROJECT, id=42, permission="write")
        fake.add_merge_request(PROJECT, 1 + run, sha=f"{run:040x}")
        if record is not None:
            put_record(fake, records.record_path("default", "e" * 40), record)
        fake.latency = LATENCY
        options = PublishOptions(
            platform="gitlab",
            repo=PROJECT,
            pr=1 + run,
            token=GITLAB_TOKEN,
            api_url=f"{fake.url}/api/v4",
        )
        yield fake, options, {"CI_SERVER_URL": fake.url}


def put_record(fake: FakePlatform, path: str, data: bytes, *, named: bool = True) -> None:
    """A record where publishing puts it: GitHub's assets branch, GitLab's records branch (in
    a commit whose message names it, as publishing writes it, unless not *named*)."""
    if isinstance(fake, FakeGitHub):
        fake.put_file(REPO, ASSETS_BRANCH, path, data)
    elif isinstance(fake, FakeGitLab):
        message = commit_message([path]) if named else f"Add {path}"
        fake.put_file(PROJECT, RECORDS_BRANCH, path, data, message=message)
