"""GitLab's records branch, request by request: what storing sends beside the comment (one
commit, or nothing), and finding in two requests in turn -- the listing of the records'
commits, then the read -- with records no commit message names still found."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator

import pytest
import requests

from mlreport.platforms.base import ImageFile, StoredFile
from mlreport.platforms.gitlab import GitLabPlatform
from mlreport.platforms.gitlab_records import PER_PAGE
from tests.fakes.fixtures import GITLAB_PROJECT, GITLAB_PROJECT_ID, GITLAB_TOKEN
from tests.fakes.gitlab import FakeGitLab

BRANCH = "mlreport-records"
SHAS = [hashlib.sha1(str(i).encode()).hexdigest() for i in range(8)]
PATHS = [f"records/default/{sha}/record.npz" for sha in SHAS]  # nearest first
COMMITS = f"/projects/{GITLAB_PROJECT_ID}/repository/commits"


def record(i: int, payload: bytes = b"record") -> StoredFile:
    return StoredFile(PATHS[i], payload + SHAS[i].encode())


def image() -> ImageFile:
    data = b"\x89PNG\r\n\x1a\n" + b"i" * 50
    return ImageFile("i.png", data, hashlib.sha256(data).hexdigest(), "chart")


@pytest.fixture
def platform(gitlab: FakeGitLab) -> Iterator[GitLabPlatform]:
    made = GitLabPlatform(GITLAB_PROJECT, GITLAB_TOKEN, gitlab.url, 10, BRANCH)
    yield made
    made.close()


def asked(gitlab: FakeGitLab, since: int) -> list[str]:
    """The requests since *since*, as "METHOD what": the project's part of the path, a
    file's path left out ("/files/….npz", "/files/…/raw")."""
    out = []
    for r in gitlab.requests[since:]:
        what = re.sub(r"^/projects/[^/]+", "", r.path.split("?")[0])
        out.append(f"{r.method} {'/files/…' + what[-4:] if '/files/' in what else what}")
    return out


def store(platform: GitLabPlatform, *files: StoredFile, images: bool = False) -> None:
    platform.host_images([image()] if images else [], files).finish()


def test_the_first_record_makes_the_branch_in_its_one_commit(
    gitlab: FakeGitLab, platform: GitLabPlatform
) -> None:
    before = len(gitlab.requests)
    hosted = platform.host_images([image()], [record(0)])
    looked = asked(gitlab, before)
    assert sorted(looked) == sorted(
        ["POST /uploads", "GET /repository/branches/mlreport-records", "GET ", "HEAD /files/….npz"]
    ), looked  # the upload, the branch, the project (its default branch), the record
    middle = len(gitlab.requests)
    hosted.finish()
    assert asked(gitlab, middle) == ["POST /repository/commits"]  # beside the comment
    sent = gitlab.requests[-1].json
    assert sent["start_branch"] == "main" and sent["actions"][0]["action"] == "create"
    assert f"Mlreport-Record: {PATHS[0]}" in sent["commit_message"].splitlines()
    assert gitlab.branch_files(GITLAB_PROJECT, BRANCH)[PATHS[0]] == record(0).data


def test_a_rerun_sends_nothing_for_the_same_record_and_one_update_for_another(
    gitlab: FakeGitLab, platform: GitLabPlatform
) -> None:
    store(platform, record(0))
    head = gitlab.branch_head(GITLAB_PROJECT, BRANCH)
    before = len(gitlab.requests)
    store(platform, record(0), images=True)  # identical: no commit
    assert not any(line.startswith("POST /repository") for line in asked(gitlab, before))
    assert gitlab.branch_head(GITLAB_PROJECT, BRANCH) == head
    hosted = platform.host_images([], [record(0, b"again")])
    middle = len(gitlab.requests)
    hosted.finish()
    assert asked(gitlab, middle) == ["POST /repository/commits"]
    assert gitlab.requests[-1].json["actions"][0]["action"] == "update"
    assert gitlab.branch_files(GITLAB_PROJECT, BRANCH)[PATHS[0]] == record(0, b"again").data


def test_another_job_landing_between_looking_and_committing(
    gitlab: FakeGitLab, platform: GitLabPlatform
) -> None:
    """The branch made, and the same record written, after this job looked: it looks again."""
    slow = platform.host_images([], [record(0, b"mine"), record(1)])  # looked: no branch
    other = GitLabPlatform(GITLAB_PROJECT, GITLAB_TOKEN, gitlab.url, 10, BRANCH)
    try:
        store(other, record(0, b"theirs"))
    finally:
        other.close()
    slow.finish()
    files = gitlab.branch_files(GITLAB_PROJECT, BRANCH)
    assert files[PATHS[0]] == record(0, b"mine").data and files[PATHS[1]] == record(1).data


def test_finding_lists_the_records_commits_then_reads_one(
    gitlab: FakeGitLab, platform: GitLabPlatform
) -> None:
    store(platform, record(5))
    store(platform, record(2))
    before = len(gitlab.requests)
    assert platform.find_file(PATHS) == (PATHS[2], record(2).data)
    assert asked(gitlab, before) == ["GET /repository/commits", "GET /files/…/raw"]
    listing = gitlab.requests[before]
    assert listing.query["ref_name"] == BRANCH and listing.query["path"] == "records/default"
    before = len(gitlab.requests)
    assert platform.find_file(PATHS[6:]) is None
    assert asked(gitlab, before) == ["GET /repository/commits"]  # all listed: none there


def test_a_record_no_message_names_is_still_found(
    gitlab: FakeGitLab, platform: GitLabPlatform
) -> None:
    """Written otherwise (by hand, another tool): the nearer candidates are asked about beside
    the read of the nearest named one."""
    store(platform, record(4))
    gitlab.put_file(GITLAB_PROJECT, BRANCH, PATHS[1], record(1).data, message="by hand")
    before = len(gitlab.requests)
    assert platform.find_file(PATHS) == (PATHS[1], record(1).data)
    first, *then = asked(gitlab, before)
    assert first == "GET /repository/commits"
    assert sorted(then[:5]) == ["GET /files/…/raw", *["HEAD /files/….npz"] * 4]  # at once
    assert then[5:] == ["GET /files/…/raw"]  # the record found nearer


def test_more_records_than_one_page_and_one_removed(
    gitlab: FakeGitLab, platform: GitLabPlatform
) -> None:
    """A full page may leave older records out: nearer candidates are asked about; a named
    record that was removed since is skipped."""
    store(platform, record(3))
    for i in range(PER_PAGE):
        store(platform, StoredFile(f"records/default/{i:040x}/record.npz", b"other"))
    store(platform, record(6))
    with requests.Session() as http:
        answer = http.post(
            f"{gitlab.url}/api/v4{COMMITS}",
            headers={"PRIVATE-TOKEN": GITLAB_TOKEN},
            json={
                "branch": BRANCH,
                "commit_message": "remove a record",
                "actions": [{"action": "delete", "file_path": PATHS[6]}],
            },
        )
        assert answer.status_code == 201, answer.text
    before = len(gitlab.requests)
    assert platform.find_file(PATHS) == (PATHS[3], record(3).data)
    lines = asked(gitlab, before)
    assert lines[0] == "GET /repository/commits" and lines.count("GET /repository/commits") == 1
    assert gitlab.requests[before].query["per_page"] == str(PER_PAGE)
