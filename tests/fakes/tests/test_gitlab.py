"""The fake GitLab behaves like GitLab's REST API v4 as python-gitlab and plain clients use it."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import threading
import time
from collections.abc import Iterator, Mapping
from urllib.parse import quote

import pytest
import requests
from gitlab import Gitlab
from gitlab.exceptions import (
    GitlabAuthenticationError,
    GitlabCreateError,
    GitlabDeleteError,
    GitlabGetError,
    GitlabHeadError,
    GitlabUpdateError,
    GitlabUploadError,
)

from tests.fakes.fixtures import GITLAB_PROJECT, GITLAB_PROJECT_ID, GITLAB_TOKEN, MR_IID, MR_SHA
from tests.fakes.git_store import git_blob_sha
from tests.fakes.gitlab import FakeGitLab
from tests.fakes.server import OPENAPI_DIR, Request, Response, load_contract

PROJECT = f"/projects/{GITLAB_PROJECT_ID}"
ENCODED = "/projects/group%2Fsub%2Fproj"
NOTES = f"{PROJECT}/merge_requests/{MR_IID}/notes"
PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452")


@pytest.fixture
def client(gitlab: FakeGitLab) -> Iterator[Gitlab]:
    with Gitlab(gitlab.url, private_token=gitlab.token) as gl:
        yield gl


@pytest.fixture
def http(gitlab: FakeGitLab) -> Iterator[requests.Session]:
    with requests.Session() as session:
        session.headers["PRIVATE-TOKEN"] = gitlab.token
        yield session


def api(gl: FakeGitLab, path: str) -> str:
    return f"{gl.url}/api/v4{path}"


# -- the server ------------------------------------------------------------------------------------


def test_starts_within_100_ms() -> None:
    durations = []
    for _ in range(3):
        fake = FakeGitLab()
        began = time.perf_counter()
        with fake:
            durations.append(time.perf_counter() - began)
            assert fake.url == f"http://127.0.0.1:{fake.port}"
    assert min(durations) < 0.1


def test_recorded_requests_leave_out_the_token(gitlab: FakeGitLab, client: Gitlab) -> None:
    client.projects.get(GITLAB_PROJECT)
    (recorded,) = gitlab.requests
    assert (recorded.method, recorded.path) == ("GET", ENCODED)
    assert recorded.auth == "private-token"
    assert "private-token" not in recorded.headers
    assert GITLAB_TOKEN not in repr(recorded)


# -- authentication and errors ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "headers",
    [{}, {"PRIVATE-TOKEN": "nope"}, {"Authorization": "Bearer nope"}, {"JOB-TOKEN": "nope"}],
)
def test_bad_or_missing_credentials_answer_401(gitlab: FakeGitLab, headers: dict[str, str]) -> None:
    answer = requests.get(api(gitlab, PROJECT), headers=headers)
    assert answer.status_code == 401
    assert answer.json() == {"message": "401 Unauthorized"}


def test_python_gitlab_sees_bad_credentials(gitlab: FakeGitLab) -> None:
    with (
        Gitlab(gitlab.url, private_token="wrong") as gl,
        pytest.raises(GitlabAuthenticationError),
    ):
        gl.projects.get(GITLAB_PROJECT)


def test_job_token_can_be_turned_off(gitlab: FakeGitLab) -> None:
    gitlab.job_token = None
    answer = requests.get(api(gitlab, PROJECT), headers={"JOB-TOKEN": "ci-job-token-123"})
    assert answer.status_code == 401


def test_bearer_token(gitlab: FakeGitLab) -> None:
    with Gitlab(gitlab.url, oauth_token=gitlab.token) as gl:
        assert gl.projects.get(GITLAB_PROJECT_ID).path_with_namespace == GITLAB_PROJECT
    assert gitlab.requests[-1].auth == "bearer"


def test_unknown_project_mr_or_note_is_404(gitlab: FakeGitLab, client: Gitlab) -> None:
    with pytest.raises(GitlabGetError) as err:
        client.projects.get("group/missing")
    assert err.value.response_code == 404
    assert "404 Project Not Found" in str(err.value)
    project = client.projects.get(GITLAB_PROJECT)
    with pytest.raises(GitlabGetError):
        project.mergerequests.get(99)
    with pytest.raises(GitlabCreateError):
        project.issues.get(3, lazy=True).notes.create({"body": "x"})  # no issue 3
    note = project.mergerequests.get(MR_IID, lazy=True).notes.get(12345, lazy=True)
    with pytest.raises(GitlabDeleteError):
        note.delete()


def test_an_operation_outside_the_subset_is_404_and_a_contract_error(
    gitlab: FakeGitLab, http: requests.Session
) -> None:
    answer = http.get(api(gitlab, f"{PROJECT}/pipelines"))
    assert answer.status_code == 404
    assert answer.json() == {"error": "404 Not Found"}
    assert gitlab.validation_errors == [f"GET {PROJECT}/pipelines: no such operation in the fake"]
    gitlab.validation_errors.clear()


# -- projects and merge requests -------------------------------------------------------------------


def test_project_by_path_or_id_and_merge_request(gitlab: FakeGitLab, client: Gitlab) -> None:
    by_path = client.projects.get(GITLAB_PROJECT)
    assert by_path.id == GITLAB_PROJECT_ID
    assert by_path.web_url == f"{gitlab.url}/{GITLAB_PROJECT}"
    assert client.projects.get(GITLAB_PROJECT_ID).path_with_namespace == GITLAB_PROJECT
    mr = by_path.mergerequests.get(MR_IID)
    assert mr.sha == MR_SHA
    assert (mr.source_branch, mr.target_branch) == ("feature", "main")
    assert mr.source_project_id == mr.target_project_id == GITLAB_PROJECT_ID
    assert [r.path for r in gitlab.requests] == [ENCODED, PROJECT, f"{PROJECT}/merge_requests/7"]


def test_merge_request_from_a_fork(gitlab: FakeGitLab, client: Gitlab) -> None:
    gitlab.add_merge_request(GITLAB_PROJECT, iid=8, sha="c" * 40, source_project_id=99)
    mr = client.projects.get(GITLAB_PROJECT, lazy=True).mergerequests.get(8)
    assert (mr.source_project_id, mr.target_project_id) == (99, GITLAB_PROJECT_ID)


# -- notes -----------------------------------------------------------------------------------------


def test_merge_request_note_create_edit_delete(gitlab: FakeGitLab, client: Gitlab) -> None:
    mr = client.projects.get(GITLAB_PROJECT, lazy=True).mergerequests.get(MR_IID, lazy=True)
    note = mr.notes.create({"body": "<!-- mlreport -->\nfirst"})
    assert note.author["username"] == "project_42_bot"
    assert (note.noteable_type, note.noteable_iid, note.system) == ("MergeRequest", MR_IID, False)
    note.body = "<!-- mlreport -->\nsecond"
    note.save()
    (stored,) = gitlab.notes(GITLAB_PROJECT, MR_IID)
    assert stored["body"] == "<!-- mlreport -->\nsecond"
    assert [r.json for r in gitlab.requests if r.method == "PUT"] == [{"body": stored["body"]}]
    note.delete()
    assert gitlab.notes(GITLAB_PROJECT, MR_IID) == []


def test_issue_notes(gitlab: FakeGitLab, client: Gitlab) -> None:
    gitlab.add_issue(GITLAB_PROJECT, iid=3)
    gitlab.user_username = "mlreport"
    issue = client.projects.get(GITLAB_PROJECT_ID, lazy=True).issues.get(3, lazy=True)
    note = issue.notes.create({"body": "on the issue"})
    assert note.noteable_type == "Issue"
    note.body = "edited"
    note.save()
    assert [
        (n["body"], n["author"]["username"]) for n in gitlab.issue_notes(GITLAB_PROJECT, 3)
    ] == [("edited", "mlreport")]
    assert [n.body for n in issue.notes.list(get_all=True)] == ["edited"]
    note.delete()
    assert gitlab.issue_notes(GITLAB_PROJECT, 3) == []
    assert gitlab.notes(GITLAB_PROJECT, MR_IID) == []


def test_pagination_reaches_all_150_notes(gitlab: FakeGitLab, client: Gitlab) -> None:
    seeded = gitlab.seed_notes(GITLAB_PROJECT, MR_IID, count=150, body="lgtm", author="someone")
    mr = client.projects.get(GITLAB_PROJECT, lazy=True).mergerequests.get(MR_IID, lazy=True)
    gitlab.requests.clear()
    notes = mr.notes.list(get_all=True)
    assert [n.id for n in notes] == [n["id"] for n in reversed(seeded)]  # newest first by default
    assert len(gitlab.requests) == 8  # 20 a page, following the Link headers
    ascending = mr.notes.list(get_all=True, sort="asc", per_page=100)
    assert [n.id for n in ascending] == [n["id"] for n in seeded]


def test_pagination_headers(gitlab: FakeGitLab, http: requests.Session) -> None:
    gitlab.seed_notes(GITLAB_PROJECT, MR_IID, count=150)
    first = http.get(api(gitlab, NOTES), params={"per_page": 500})
    assert len(first.json()) == 100  # capped
    headers = first.headers
    assert (headers["x-total"], headers["x-total-pages"], headers["x-per-page"]) == (
        "150",
        "2",
        "100",
    )
    assert (headers["x-page"], headers["x-next-page"], headers["x-prev-page"]) == ("1", "2", "")
    assert first.links["next"]["url"] == api(gitlab, NOTES) + "?per_page=100&page=2"
    second = http.get(first.links["next"]["url"])
    assert len(second.json()) == 50
    assert second.headers["x-next-page"] == ""
    assert "next" not in second.links


def test_note_body_limit_is_1000000_characters(gitlab: FakeGitLab, http: requests.Session) -> None:
    assert http.post(api(gitlab, NOTES), json={"body": "x" * 1_000_000}).status_code == 201
    answer = http.post(api(gitlab, NOTES), json={"body": "x" * 1_000_001})
    assert answer.status_code == 400
    assert answer.json() == {"message": {"note": ["is too long (maximum is 1000000 characters)"]}}
    assert len(gitlab.notes(GITLAB_PROJECT, MR_IID)) == 1


def test_form_encoded_notes_are_accepted(gitlab: FakeGitLab, http: requests.Session) -> None:
    answer = http.post(api(gitlab, NOTES), data={"body": "from a form"})
    assert answer.status_code == 201
    assert gitlab.notes(GITLAB_PROJECT, MR_IID)[0]["body"] == "from a form"


def test_job_token_may_read_but_not_write(gitlab: FakeGitLab) -> None:
    assert gitlab.job_token == "ci-job-token-123"
    with Gitlab(gitlab.url, job_token="ci-job-token-123") as gl:
        project = gl.projects.get(GITLAB_PROJECT)
        mr = project.mergerequests.get(MR_IID)
        assert mr.notes.list(get_all=True) == []
        with pytest.raises(GitlabCreateError) as err:
            mr.notes.create({"body": "x"})
        assert err.value.response_code == 403
        with pytest.raises(GitlabUploadError):
            project.upload("chart.png", filedata=PNG)
    assert gitlab.requests[-1].auth == "job-token"
    assert "job-token" not in gitlab.requests[-1].headers
    assert gitlab.notes(GITLAB_PROJECT, MR_IID) == []
    assert gitlab.uploads(GITLAB_PROJECT) == []


def test_read_only_token_gets_403(gitlab: FakeGitLab, http: requests.Session) -> None:
    gitlab.add_project("other/proj", id=43, permission="read")
    gitlab.add_merge_request("other/proj", iid=1, sha=MR_SHA)
    answer = http.post(api(gitlab, "/projects/43/merge_requests/1/notes"), json={"body": "x"})
    assert (answer.status_code, answer.json()) == (403, {"message": "403 Forbidden"})
    assert http.get(api(gitlab, "/projects/other%2Fproj/merge_requests/1/notes")).status_code == 200


def test_concurrent_notes_are_all_kept(gitlab: FakeGitLab) -> None:
    statuses: list[int] = []

    def post(n: int) -> None:
        answer = requests.post(
            api(gitlab, NOTES), json={"body": f"#{n}"}, headers={"PRIVATE-TOKEN": GITLAB_TOKEN}
        )
        statuses.append(answer.status_code)

    threads = [threading.Thread(target=post, args=(n,)) for n in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [201] * 20
    assert len({n["id"] for n in gitlab.notes(GITLAB_PROJECT, MR_IID)}) == 20


# -- commit discussions, uploads, statuses ---------------------------------------------------------


def test_commit_discussion_create_edit_delete(gitlab: FakeGitLab, client: Gitlab) -> None:
    commit = client.projects.get(GITLAB_PROJECT, lazy=True).commits.get(MR_SHA, lazy=True)
    discussion = commit.discussions.create({"body": "report"})
    assert len(discussion.id) == 40
    (first,) = discussion.attributes["notes"]
    assert (first["noteable_type"], first["commit_id"]) == ("Commit", MR_SHA)
    note = discussion.notes.get(first["id"], lazy=True)
    note.body = "edited"
    note.save()
    (stored,) = gitlab.commit_discussions(GITLAB_PROJECT, MR_SHA)
    assert stored["notes"][0]["body"] == "edited"
    assert [d.id for d in commit.discussions.list(get_all=True)] == [discussion.id]
    note.delete()
    assert gitlab.commit_discussions(GITLAB_PROJECT, MR_SHA) == []


def test_discussion_on_an_unknown_commit_is_404(gitlab: FakeGitLab, client: Gitlab) -> None:
    commit = client.projects.get(GITLAB_PROJECT, lazy=True).commits.get("d" * 40, lazy=True)
    with pytest.raises(GitlabCreateError) as err:
        commit.discussions.create({"body": "x"})
    assert err.value.response_code == 404
    gitlab.add_commit(GITLAB_PROJECT, "d" * 40)
    commit.discussions.create({"body": "x"})


def test_upload_is_served_back_without_auth(gitlab: FakeGitLab, client: Gitlab) -> None:
    project = client.projects.get(GITLAB_PROJECT)
    answer = project.upload("roc curve.png", filedata=PNG)
    secret = answer["url"].split("/")[2]
    assert len(secret) == 32
    assert answer["url"] == f"/uploads/{secret}/roc%20curve.png"
    assert answer["full_path"] == f"/-/project/{GITLAB_PROJECT_ID}/uploads/{secret}/roc%20curve.png"
    assert answer["markdown"] == f"![roc curve]({answer['url']})"
    assert answer["alt"] == "roc curve"
    served = requests.get(gitlab.url + answer["full_path"])
    assert (served.status_code, served.content) == (200, PNG)
    assert served.headers["Content-Type"] == "image/png"
    via_project = requests.get(f"{gitlab.url}/{GITLAB_PROJECT}{answer['url']}")
    assert via_project.content == PNG
    assert requests.get(gitlab.url + answer["full_path"] + "x").status_code == 404
    (stored,) = gitlab.uploads(GITLAB_PROJECT)
    assert (stored["filename"], stored["content"], stored["markdown"]) == (
        "roc curve.png",
        PNG,
        answer["markdown"],
    )
    report = project.upload("report.html", filedata=b"<html></html>")
    assert report["markdown"] == f"[report.html]({report['url']})"  # not an image: a link


def test_upload_without_a_file_breaks_the_contract(
    gitlab: FakeGitLab, http: requests.Session
) -> None:
    answer = http.post(api(gitlab, f"{PROJECT}/uploads"), files={"other": ("a.txt", b"x")})
    assert answer.status_code == 400
    assert "file" in answer.json()["error"]
    assert len(gitlab.validation_errors) == 1
    gitlab.validation_errors.clear()


def test_commit_status(gitlab: FakeGitLab, client: Gitlab) -> None:
    commit = client.projects.get(GITLAB_PROJECT, lazy=True).commits.get(MR_SHA, lazy=True)
    status = commit.statuses.create(
        {
            "state": "failed",
            "name": "mlreport",
            "target_url": "https://x/r",
            "description": "2 gates",
        }
    )
    assert status.status == "failed"
    (stored,) = gitlab.statuses(GITLAB_PROJECT, MR_SHA)
    assert (stored["name"], stored["target_url"], stored["description"]) == (
        "mlreport",
        "https://x/r",
        "2 gates",
    )
    assert stored["ref"] == "feature"
    assert gitlab.requests[-1].path == f"{ENCODED}/statuses/{MR_SHA}"  # lazy: the path


def test_commit_status_state_is_checked(gitlab: FakeGitLab, http: requests.Session) -> None:
    answer = http.post(api(gitlab, f"{PROJECT}/statuses/{MR_SHA}"), json={"state": "green"})
    assert answer.status_code == 400
    assert "green" in gitlab.validation_errors[0]
    gitlab.validation_errors.clear()


# -- the repository: commits, files, branches ------------------------------------------------------

RECORD = f"records/default/{'c' * 40}/record.npz"
COMMITS = f"{PROJECT}/repository/commits"


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _commit(
    http: requests.Session,
    gl: FakeGitLab,
    branch: str,
    *actions: Mapping[str, object],
    **extra: object,
) -> requests.Response:
    body = {"branch": branch, "commit_message": "mlreport: records", "actions": list(actions)}
    return http.post(api(gl, COMMITS), json={**body, **extra})


def _file_url(gl: FakeGitLab, path: str, raw: bool = False) -> str:
    encoded = quote(path, safe="")
    return api(gl, f"{PROJECT}/repository/files/{encoded}" + ("/raw" if raw else ""))


def test_a_project_starts_with_a_readme_commit(gitlab: FakeGitLab, client: Gitlab) -> None:
    assert gitlab.branch_files(GITLAB_PROJECT, "main") == {"README.md": b"# proj\n"}
    assert gitlab.branch_files(GITLAB_PROJECT, "nope") == {}
    branch = client.projects.get(GITLAB_PROJECT_ID, lazy=True).branches.get("main")
    assert branch.default is True
    assert branch.commit["id"] == gitlab.branch_head(GITLAB_PROJECT, "main")
    assert branch.commit["parent_ids"] == []
    assert branch.commit["title"] == "Initial commit"


def test_commit_creates_a_branch_then_updates_and_deletes(
    gitlab: FakeGitLab, client: Gitlab
) -> None:
    project = client.projects.get(GITLAB_PROJECT_ID, lazy=True)
    main = gitlab.branch_head(GITLAB_PROJECT, "main")
    first = project.commits.create(
        {
            "branch": "mlreport-records",
            "start_branch": "main",
            "commit_message": "mlreport: record for c\n\nbody",
            "actions": [
                {
                    "action": "create",
                    "file_path": RECORD,
                    "content": _b64(b"\0npz"),
                    "encoding": "base64",
                },
                {"action": "create", "file_path": "records/index.txt", "content": "a\nb\n"},
            ],
        }
    )
    assert first.parent_ids == [main]
    assert first.title == "mlreport: record for c"
    assert first.stats == {"additions": 2, "deletions": 0, "total": 2}  # a binary file: 0
    assert first.committer_name == first.author_name == "project_42_bot"
    assert first.web_url == f"{gitlab.url}/{GITLAB_PROJECT}/-/commit/{first.id}"
    assert gitlab.branch_head(GITLAB_PROJECT, "mlreport-records") == first.id
    assert gitlab.branch_head(GITLAB_PROJECT, "main") == main
    assert gitlab.branch_files(GITLAB_PROJECT, "mlreport-records") == {
        "README.md": b"# proj\n",
        RECORD: b"\0npz",
        "records/index.txt": b"a\nb\n",
    }
    second = project.commits.create(
        {
            "branch": "mlreport-records",
            "commit_message": "update",
            "author_name": "mlreport",
            "author_email": "mlreport@example.com",
            "actions": [
                {"action": "update", "file_path": "records/index.txt", "content": "a\nc\n"},
                {"action": "delete", "file_path": RECORD},
            ],
        }
    )
    assert second.parent_ids == [first.id]
    assert second.stats == {"additions": 1, "deletions": 1, "total": 2}
    assert (second.author_name, second.committer_name) == ("mlreport", "project_42_bot")
    assert gitlab.branch_files(GITLAB_PROJECT, "mlreport-records") == {
        "README.md": b"# proj\n",
        "records/index.txt": b"a\nc\n",
    }
    branch = project.branches.get("mlreport-records")
    assert (branch.commit["id"], branch.merged, branch.default) == (second.id, False, False)


def test_listing_commits_by_path_newest_first_in_pages_without_totals(
    gitlab: FakeGitLab, http: requests.Session
) -> None:
    shas = [
        gitlab.put_file(GITLAB_PROJECT, "records", f"records/{name}/r.npz", b"r", message=name)
        for name in ("a", "b", "a2", "c")
    ]

    def listed(**query: str) -> requests.Response:
        answer = http.get(api(gitlab, COMMITS), params=query)
        assert answer.status_code == 200, answer.text
        return answer

    every = listed(ref_name="records")
    main = gitlab.branch_head(GITLAB_PROJECT, "main")
    assert [c["id"] for c in every.json()] == [*shas[::-1], main]
    assert "x-total" not in every.headers and "x-total-pages" not in every.headers
    assert every.headers["x-next-page"] == ""
    a = listed(ref_name="records", path="records/a")
    assert [c["message"] for c in a.json()] == ["a"]
    assert [c["id"] for c in listed(ref_name="records", path="records").json()] == shas[::-1]
    page = listed(ref_name="records", path="records", per_page="2")
    assert [c["id"] for c in page.json()] == shas[:1:-1]
    assert page.headers["x-next-page"] == "2" and 'rel="next"' in page.headers["Link"]
    assert 'rel="last"' not in page.headers["Link"]
    last = listed(ref_name="records", path="records", per_page="2", page="2")
    assert [c["id"] for c in last.json()] == shas[1::-1]
    assert last.headers["x-next-page"] == "3"  # a full page: GitLab does not count further
    assert last.headers["x-prev-page"] == "1" and 'rel="first"' in last.headers["Link"]
    assert listed(ref_name="nope").json() == []  # an unknown ref lists nothing
    default = listed(path="README.md").json()
    assert [c["title"] for c in default] == ["Initial commit"]


def test_move_chmod_start_sha_and_force(gitlab: FakeGitLab, http: requests.Session) -> None:
    gitlab.put_file(GITLAB_PROJECT, "work", "a.txt", b"a")
    start = gitlab.branch_head(GITLAB_PROJECT, "work")
    moved = _commit(
        http,
        gitlab,
        "work",
        {"action": "move", "previous_path": "a.txt", "file_path": "b/a.txt"},
        {"action": "chmod", "file_path": "b/a.txt", "execute_filemode": True},
    )
    assert moved.status_code == 201
    assert gitlab.branch_files(GITLAB_PROJECT, "work") == {
        "README.md": b"# proj\n",
        "b/a.txt": b"a",
    }
    head = http.head(_file_url(gitlab, "b/a.txt"), params={"ref": "work"})
    assert head.headers["X-Gitlab-Execute-Filemode"] == "true"
    from_sha = _commit(
        http, gitlab, "other", {"action": "create", "file_path": "o.txt"}, start_sha=start
    )
    assert from_sha.status_code == 201
    assert from_sha.json()["parent_ids"] == [start]
    assert gitlab.branch_files(GITLAB_PROJECT, "other")["o.txt"] == b""
    exists = _commit(
        http, gitlab, "other", {"action": "delete", "file_path": "o.txt"}, start_branch="main"
    )
    assert exists.json()["message"] == (
        "A branch called 'other' already exists. Switch to that branch in order to make changes"
    )
    forced = _commit(
        http,
        gitlab,
        "other",
        {"action": "create", "file_path": "f.txt"},
        start_branch="main",
        force=True,
    )
    assert forced.status_code == 201
    assert forced.json()["parent_ids"] == [gitlab.branch_head(GITLAB_PROJECT, "main")]
    assert set(gitlab.branch_files(GITLAB_PROJECT, "other")) == {"README.md", "f.txt"}


@pytest.mark.parametrize(
    ("actions", "extra", "message"),
    [
        (
            [{"action": "create", "file_path": "README.md", "content": "x"}],
            {},
            "A file with this name already exists",
        ),
        (
            [{"action": "create", "file_path": "records", "content": "x"}],
            {},
            "A directory with this name already exists",
        ),
        (
            [{"action": "create", "file_path": "README.md/x", "content": "x"}],
            {},
            "A file with this name already exists",
        ),
        (
            [{"action": "update", "file_path": "nope.txt", "content": "x"}],
            {},
            "A file with this name doesn't exist",
        ),
        (
            [{"action": "delete", "file_path": "nope.txt"}],
            {},
            "A file with this name doesn't exist",
        ),
        ([{"action": "delete", "file_path": "records"}], {}, "A file with this name doesn't exist"),
        (
            [{"action": "move", "previous_path": "nope", "file_path": "x"}],
            {},
            "A file with this name doesn't exist",
        ),
        (
            [{"action": "create", "file_path": "a/../b", "content": "x"}],
            {},
            "Path cannot include directory traversal",
        ),
        (
            [{"action": "update", "file_path": "README.md"}],
            {},
            "actions[0][content] is required for update action",
        ),
        (
            [{"action": "move", "file_path": "x"}],
            {},
            "actions[0][previous_path] is required for move action",
        ),
        (
            [{"action": "create", "file_path": "x"}, {"action": "create", "file_path": "x"}],
            {},
            "A file with this name already exists",
        ),
        (
            [{"action": "create", "file_path": "x"}],
            {"branch": "nope"},
            "You can only create or edit files when you are on a branch",
        ),
        (
            [{"action": "create", "file_path": "x"}],
            {"branch": "new", "start_branch": "nope"},
            "You can only create or edit files when you are on a branch",
        ),
        (
            [{"action": "create", "file_path": "x"}],
            {"branch": "new", "start_sha": "nope"},
            "Invalid start_sha 'nope'",
        ),
        (
            [{"action": "create", "file_path": "x"}],
            {"branch": "new", "start_sha": "d" * 40},
            f"Cannot find start_sha '{'d' * 40}'",
        ),
        (
            [{"action": "create", "file_path": "x"}],
            {"branch": "new", "start_sha": "d" * 40, "start_branch": "main"},
            "start_branch, start_sha are mutually exclusive",
        ),
        (
            [{"action": "create", "file_path": "x"}],
            {"branch": "bad..name", "start_branch": "main"},
            "Something went wrong when we tried to create 'bad..name' for you: "
            "Branch name is invalid",
        ),
    ],
)
def test_commit_errors_are_gitlab_s_and_change_nothing(
    gitlab: FakeGitLab,
    http: requests.Session,
    actions: list[dict[str, object]],
    extra: dict[str, object],
    message: str,
) -> None:
    gitlab.put_file(GITLAB_PROJECT, "main", "records/r.npz", b"r")
    before = gitlab.branch_head(GITLAB_PROJECT, "main")
    body = {"branch": "main", "commit_message": "m", "actions": actions, **extra}
    answer = http.post(api(gitlab, COMMITS), json=body)
    assert (answer.status_code, answer.json()) == (400, {"message": message})
    assert gitlab.branch_head(GITLAB_PROJECT, "main") == before
    assert gitlab.branch_head(GITLAB_PROJECT, "new") is None


def test_last_commit_id_guards_against_a_concurrent_change(
    gitlab: FakeGitLab, http: requests.Session
) -> None:
    first = gitlab.put_file(GITLAB_PROJECT, "main", RECORD, b"1")
    gitlab.put_file(GITLAB_PROJECT, "main", "unrelated.txt", b"u")  # does not touch RECORD
    update = {"action": "update", "file_path": RECORD, "content": "2", "last_commit_id": first}
    assert _commit(http, gitlab, "main", update).status_code == 201
    stale = _commit(http, gitlab, "main", {**update, "content": "3"})
    assert (stale.status_code, stale.json()["message"]) == (
        400,
        f"The file has changed since you started editing it: {RECORD}",
    )
    assert gitlab.branch_files(GITLAB_PROJECT, "main")[RECORD] == b"2"


def test_commit_requests_that_break_the_contract(
    gitlab: FakeGitLab, http: requests.Session
) -> None:
    for body in (
        {
            "branch": "main",
            "commit_message": "m",
            "actions": [{"action": "rename", "file_path": "x"}],
        },
        {
            "branch": "main",
            "commit_message": "m",
            "actions": [{"action": "create", "file_path": "x", "encoding": "utf-8"}],
        },
        {"branch": "main", "commit_message": "m", "actions": []},
        {"branch": "main", "actions": [{"action": "create", "file_path": "x"}]},
    ):
        answer = http.post(api(gitlab, COMMITS), json=body)
        assert answer.status_code == 400
        assert "error" in answer.json()
    assert len(gitlab.validation_errors) == 4
    form = http.post(api(gitlab, COMMITS), data={"branch": "main", "commit_message": "m"})
    assert form.status_code == 400  # JSON only, as python-gitlab sends it
    assert len(gitlab.validation_errors) == 5
    gitlab.validation_errors.clear()
    assert set(gitlab.branch_files(GITLAB_PROJECT, "main")) == {"README.md"}


def test_job_token_and_read_only_tokens_cannot_commit(
    gitlab: FakeGitLab, http: requests.Session
) -> None:
    create = {"action": "create", "file_path": "x", "content": "x"}
    with_job = requests.post(
        api(gitlab, COMMITS),
        json={"branch": "main", "commit_message": "m", "actions": [create]},
        headers={"JOB-TOKEN": "ci-job-token-123"},
    )
    assert (with_job.status_code, with_job.json()) == (403, {"message": "403 Forbidden"})
    gitlab.add_project("other/proj", id=43, permission="read")
    read_only = http.post(
        api(gitlab, "/projects/43/repository/commits"),
        json={"branch": "main", "commit_message": "m", "actions": [create]},
    )
    assert read_only.status_code == 403
    assert read_only.json()["message"] == (
        "403 Forbidden - You are not allowed to push into this branch"
    )
    assert gitlab.branch_files(GITLAB_PROJECT, "main") == {"README.md": b"# proj\n"}


def test_concurrent_commits_of_different_paths_all_land(gitlab: FakeGitLab) -> None:
    statuses: list[int] = []

    def commit(n: int) -> None:
        with requests.Session() as session:
            session.headers["PRIVATE-TOKEN"] = GITLAB_TOKEN
            action = {"action": "create", "file_path": f"records/{n}/record.npz", "content": "r"}
            statuses.append(_commit(session, gitlab, "main", action).status_code)

    threads = [threading.Thread(target=commit, args=(n,)) for n in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [201] * 10
    files = gitlab.branch_files(GITLAB_PROJECT, "main")
    assert {f"records/{n}/record.npz" for n in range(10)} <= files.keys()


def test_file_metadata_head_get_and_raw(gitlab: FakeGitLab, client: Gitlab) -> None:
    project = client.projects.get(GITLAB_PROJECT_ID, lazy=True)
    data = b"\x93NUMPY\x00\x01"
    commit = gitlab.put_file(GITLAB_PROJECT, "mlreport-records", RECORD, data)
    gitlab.put_file(GITLAB_PROJECT, "mlreport-records", "other.txt", b"o")
    head = gitlab.branch_head(GITLAB_PROJECT, "mlreport-records")
    headers = project.files.head(RECORD, ref="mlreport-records")
    assert headers["X-Gitlab-Blob-Id"] == git_blob_sha(data)
    assert headers["X-Gitlab-Commit-Id"] == head
    assert headers["X-Gitlab-Last-Commit-Id"] == commit  # the last commit that changed it
    assert headers["X-Gitlab-Content-Sha256"] == hashlib.sha256(data).hexdigest()
    assert headers["X-Gitlab-File-Name"] == "record.npz"
    assert headers["X-Gitlab-File-Path"] == RECORD
    assert headers["X-Gitlab-Ref"] == "mlreport-records"
    assert headers["X-Gitlab-Size"] == str(len(data))
    assert headers["X-Gitlab-Encoding"] == "base64"
    assert gitlab.requests[-1].path == (
        f"{PROJECT}/repository/files/records%2Fdefault%2F{'c' * 40}%2Frecord.npz"
    )
    assert project.files.raw(RECORD, ref="mlreport-records") == data
    assert project.files.raw(RECORD, ref=commit) == data  # a commit SHA as ref
    got = project.files.get(RECORD, ref="mlreport-records")
    assert (got.decode(), got.blob_id, got.last_commit_id) == (data, git_blob_sha(data), commit)
    with pytest.raises(GitlabHeadError) as head_err:
        project.files.head("records/nope.npz", ref="mlreport-records")
    assert head_err.value.response_code == 404
    with pytest.raises(GitlabGetError) as err:
        project.files.raw("records/nope.npz", ref="mlreport-records")
    assert err.value.response_code == 404
    assert "404 File Not Found" in str(err.value)
    with pytest.raises(GitlabGetError) as err:
        project.files.raw(RECORD, ref="main")  # not on that branch
    assert "404 File Not Found" in str(err.value)
    with pytest.raises(GitlabGetError) as err:
        project.files.raw(RECORD, ref="nope")
    assert "404 Commit Not Found" in str(err.value)
    with pytest.raises(GitlabGetError):
        project.files.raw("records/default", ref="mlreport-records")  # a directory


def test_raw_file_types_and_default_ref(gitlab: FakeGitLab, http: requests.Session) -> None:
    gitlab.put_file(GITLAB_PROJECT, "main", "records/r.npz", b"\x00\x01")
    binary = http.get(_file_url(gitlab, "records/r.npz", raw=True))  # no ref: the default branch
    assert binary.status_code == 200
    assert binary.content == b"\x00\x01"
    assert binary.headers["Content-Type"] == "application/octet-stream"
    assert binary.headers["X-Gitlab-Ref"] == ""
    text = http.get(_file_url(gitlab, "README.md", raw=True), params={"ref": "main"})
    assert text.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert text.text == "# proj\n"
    missing = http.head(_file_url(gitlab, "nope.txt"), params={"ref": "main"})
    assert missing.status_code == 404
    no_ref = http.head(_file_url(gitlab, "README.md"))  # ref is required there
    assert no_ref.status_code == 400
    assert "ref" in gitlab.validation_errors[0]
    gitlab.validation_errors.clear()


def test_file_path_slashes_must_be_encoded(gitlab: FakeGitLab, http: requests.Session) -> None:
    answer = http.get(api(gitlab, f"{PROJECT}/repository/files/records/r.npz/raw"))
    assert answer.status_code == 404
    assert gitlab.validation_errors == [
        f"GET {PROJECT}/repository/files/records/r.npz/raw: no such operation in the fake"
    ]
    gitlab.validation_errors.clear()


def test_get_branch(gitlab: FakeGitLab, client: Gitlab) -> None:
    project = client.projects.get(GITLAB_PROJECT, lazy=True)
    gitlab.put_file(GITLAB_PROJECT, "feature/records", "x.txt", b"x")
    branch = project.branches.get("feature/records")  # python-gitlab encodes the slash
    assert branch.name == "feature/records"
    assert branch.commit["id"] == gitlab.branch_head(GITLAB_PROJECT, "feature/records")
    assert (branch.merged, branch.protected, branch.can_push) == (False, False, True)
    assert branch.web_url == f"{gitlab.url}/{GITLAB_PROJECT}/-/tree/feature/records"
    with pytest.raises(GitlabGetError) as err:
        project.branches.get("nope")
    assert err.value.response_code == 404
    assert "404 Branch Not Found" in str(err.value)


def test_put_file_and_branch_files(gitlab: FakeGitLab) -> None:
    main = gitlab.branch_head(GITLAB_PROJECT, "main")
    sha = gitlab.put_file(GITLAB_PROJECT, "mlreport-records", RECORD, b"1")
    assert gitlab.branch_head(GITLAB_PROJECT, "mlreport-records") == sha
    assert gitlab.branch_head(GITLAB_PROJECT, "main") == main
    gitlab.put_file(GITLAB_PROJECT, "mlreport-records", RECORD, b"2", message="again")
    assert gitlab.branch_files(GITLAB_PROJECT, "mlreport-records") == {
        "README.md": b"# proj\n",
        RECORD: b"2",
    }
    with pytest.raises(ValueError, match="directory"):
        gitlab.put_file(GITLAB_PROJECT, "mlreport-records", "records", b"x")


def test_statuses_and_discussions_on_a_repository_commit(
    gitlab: FakeGitLab, client: Gitlab
) -> None:
    sha = gitlab.put_file(GITLAB_PROJECT, "main", "x.txt", b"x")
    commit = client.projects.get(GITLAB_PROJECT_ID, lazy=True).commits.get(sha, lazy=True)
    commit.discussions.create({"body": "report"})
    assert len(gitlab.commit_discussions(GITLAB_PROJECT, sha)) == 1


def test_a_20_mb_record_round_trip(gitlab: FakeGitLab, client: Gitlab) -> None:
    data = os.urandom(20 * 1024 * 1024)
    project = client.projects.get(GITLAB_PROJECT_ID, lazy=True)
    project.commits.create(
        {
            "branch": "main",
            "commit_message": "a big record",
            "actions": [
                {
                    "action": "create",
                    "file_path": RECORD,
                    "content": _b64(data),
                    "encoding": "base64",
                }
            ],
        }
    )
    assert project.files.head(RECORD, ref="main")["X-Gitlab-Size"] == str(len(data))
    assert project.files.raw(RECORD, ref="main") == data


# -- faults and latency ----------------------------------------------------------------------------


def test_a_500_once_then_success(gitlab: FakeGitLab) -> None:
    gitlab.add_fault(method="POST", path=r"/notes$", status=500, times=1)
    with Gitlab(gitlab.url, private_token=gitlab.token) as plain:
        mr = plain.projects.get(GITLAB_PROJECT, lazy=True).mergerequests.get(MR_IID, lazy=True)
        with pytest.raises(GitlabCreateError) as err:
            mr.notes.create({"body": "x"})
        assert err.value.response_code == 500
        mr.notes.create({"body": "x"})
    gitlab.add_fault(method="POST", path=r"/notes$", status=502, times=1)
    with Gitlab(gitlab.url, private_token=gitlab.token, retry_transient_errors=True) as retrying:
        mr = retrying.projects.get(GITLAB_PROJECT, lazy=True).mergerequests.get(MR_IID, lazy=True)
        mr.notes.create({"body": "y"})
    assert [n["body"] for n in gitlab.notes(GITLAB_PROJECT, MR_IID)] == ["x", "y"]
    assert len([r for r in gitlab.requests if r.method == "POST"]) == 4


def test_fault_default_body_is_a_gitlab_error(gitlab: FakeGitLab, http: requests.Session) -> None:
    gitlab.add_fault(path="merge_requests", status=503)
    answer = http.get(api(gitlab, f"{PROJECT}/merge_requests/{MR_IID}"))
    assert (answer.status_code, answer.json()) == (503, {"message": "503 Service Unavailable"})


def test_connection_reset(gitlab: FakeGitLab, http: requests.Session) -> None:
    gitlab.add_fault(method="PUT", reset=True)
    note = http.post(api(gitlab, NOTES), json={"body": "x"}).json()
    with pytest.raises(requests.ConnectionError):
        http.put(api(gitlab, f"{NOTES}/{note['id']}"), json={"body": "y"})
    assert gitlab.notes(GITLAB_PROJECT, MR_IID)[0]["body"] == "x"
    assert http.put(api(gitlab, f"{NOTES}/{note['id']}"), json={"body": "y"}).status_code == 200


def test_slow_response_and_latency(gitlab: FakeGitLab, http: requests.Session) -> None:
    gitlab.add_fault(path=r"^/projects/\d+$", delay=1.0)
    with pytest.raises(requests.ReadTimeout):
        http.get(api(gitlab, PROJECT), timeout=0.1)
    gitlab.latency = 0.2
    began = time.perf_counter()
    assert http.get(api(gitlab, PROJECT)).status_code == 200
    assert 0.19 <= time.perf_counter() - began < 0.9  # the latency, not the used-up fault


# -- contract checks -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("payload", "mentioned"), [({"bod": "x"}, "body"), ({"body": 5}, "5 is not of type 'string'")]
)
def test_requests_that_break_the_contract_are_400(
    gitlab: FakeGitLab, http: requests.Session, payload: dict[str, object], mentioned: str
) -> None:
    answer = http.post(api(gitlab, NOTES), json=payload)
    assert answer.status_code == 400
    assert mentioned in answer.json()["error"]
    (error,) = gitlab.validation_errors
    assert error.startswith(f"request POST {NOTES}: ")
    assert mentioned in error
    assert gitlab.notes(GITLAB_PROJECT, MR_IID) == []
    gitlab.validation_errors.clear()


def test_path_parameters_are_checked(gitlab: FakeGitLab, http: requests.Session) -> None:
    answer = http.get(api(gitlab, f"{PROJECT}/merge_requests/seven/notes"))
    assert answer.status_code == 400
    assert "merge_request_iid" in gitlab.validation_errors[0]
    gitlab.validation_errors.clear()


def test_python_gitlab_raises_on_a_broken_request(gitlab: FakeGitLab, client: Gitlab) -> None:
    note = client.projects.get(GITLAB_PROJECT_ID, lazy=True).mergerequests.get(MR_IID, lazy=True)
    created = note.notes.create({"body": "x"})
    created.body = ["not", "a", "string"]
    with pytest.raises(GitlabUpdateError) as err:
        created.save()
    assert err.value.response_code == 400
    assert len(gitlab.validation_errors) == 1
    gitlab.validation_errors.clear()


def test_the_validator_catches_a_broken_response(
    gitlab: FakeGitLab, http: requests.Session
) -> None:
    contract = load_contract(OPENAPI_DIR / "gitlab.yaml")
    note = http.post(api(gitlab, NOTES), json={"body": "x"}).json()
    req = Request("POST", NOTES, [], {"content-type": "application/json"}, b'{"body": "x"}')
    req.headers["private-token"] = GITLAB_TOKEN
    req.params = {"id": str(GITLAB_PROJECT_ID), "merge_request_iid": str(MR_IID)}
    template = "/projects/{id}/merge_requests/{merge_request_iid}/notes"
    assert contract.request_errors(req, template) == []
    assert contract.response_errors(req, template, Response.json(201, note)) == []
    for broken in (
        {k: v for k, v in note.items() if k != "author"},
        {**note, "noteable_type": "PullRequest"},
        {**note, "system": "false"},
    ):
        assert contract.response_errors(req, template, Response.json(201, broken)), broken


def test_a_broken_fake_response_is_recorded(http: requests.Session) -> None:
    class Broken(FakeGitLab):
        def _upload(self, req: Request) -> Response:
            data = json.loads(super()._upload(req).body)
            data["full_path"] = "/namespace/project/uploads/x/y.png"  # the pre-17.1 pattern
            return Response.json(201, data)

    with Broken() as fake:
        fake.add_project(GITLAB_PROJECT, id=GITLAB_PROJECT_ID)
        answer = http.post(
            api(fake, f"{PROJECT}/uploads"),
            files={"file": ("a.png", PNG)},
            headers={"PRIVATE-TOKEN": fake.token},
        )
        assert answer.status_code == 201  # sent anyway
        (error,) = fake.validation_errors
        assert error.startswith(f"response 201 to POST {PROJECT}/uploads: ")
        assert "full_path" in error


def test_every_route_is_an_operation_of_the_description(gitlab: FakeGitLab) -> None:
    operations = set(gitlab.contract.templates())
    routes = {(r.method, r.template) for r in gitlab._routes if r.api}
    assert routes == operations
