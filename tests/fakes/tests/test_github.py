"""The fake GitHub behaves like GitHub's REST API as PyGithub and plain HTTP clients use it."""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from github import (
    Auth,
    BadCredentialsException,
    Github,
    GithubException,
    InputGitAuthor,
    InputGitTreeElement,
    UnknownObjectException,
)

from tests.fakes.fixtures import GITHUB_REPO, GITHUB_TOKEN, HEAD_SHA, PULL_NUMBER
from tests.fakes.github import FakeGitHub, git_blob_sha
from tests.fakes.server import OPENAPI_DIR, Request, Response, load_contract

ROOT = Path(__file__).resolve().parents[3]
COMMENTS = f"/repos/{GITHUB_REPO}/issues/{PULL_NUMBER}/comments"
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)


def client(gh: FakeGitHub, *, lazy: bool = False) -> Github:
    """PyGithub on the fake, without its default pauses between requests."""
    return Github(
        auth=Auth.Token(gh.token),
        base_url=gh.api_url,
        seconds_between_requests=0,
        seconds_between_writes=0,
        lazy=lazy,
    )


@pytest.fixture
def gh_client(github: FakeGitHub) -> Iterator[Github]:
    g = client(github)
    yield g
    g.close()


@pytest.fixture
def http(github: FakeGitHub) -> Iterator[requests.Session]:
    """Plain HTTP to the API with the token; paths relative to api_url."""
    with requests.Session() as session:
        session.headers["Authorization"] = f"token {github.token}"
        yield session


def api(gh: FakeGitHub, path: str) -> str:
    return gh.api_url + path


# -- the server ------------------------------------------------------------------------------------


def test_starts_within_100_ms_and_serves_on_loopback() -> None:
    durations = []
    for _ in range(3):
        fake = FakeGitHub()
        began = time.perf_counter()
        with fake:
            durations.append(time.perf_counter() - began)
            assert fake.api_url == f"http://127.0.0.1:{fake.port}/api/v3"
            assert fake.server_url == f"http://127.0.0.1:{fake.port}"
    assert min(durations) < 0.1


def test_recorded_requests_leave_out_the_token(github: FakeGitHub, http: requests.Session) -> None:
    http.post(api(github, COMMENTS), json={"body": "hi"}, headers={"X-Test": "1"})
    (recorded,) = github.requests
    assert recorded.method == "POST"
    assert recorded.path == COMMENTS
    assert recorded.json == {"body": "hi"}
    assert recorded.auth == "token"
    assert recorded.headers["x-test"] == "1"
    assert "authorization" not in recorded.headers
    assert GITHUB_TOKEN not in repr(recorded)


def test_rate_limit_headers_on_every_answer(github: FakeGitHub, http: requests.Session) -> None:
    first = http.get(api(github, f"/repos/{GITHUB_REPO}"))
    second = http.get(api(github, "/repos/nobody/nothing"))
    for answer in (first, second):
        for name in ("limit", "remaining", "reset", "used", "resource"):
            assert f"x-ratelimit-{name}" in answer.headers
    assert (
        int(second.headers["x-ratelimit-remaining"])
        == int(first.headers["x-ratelimit-remaining"]) - 1
    )
    assert second.headers["x-ratelimit-resource"] == "core"


# -- authentication and errors ---------------------------------------------------------------------


@pytest.mark.parametrize("header", [None, "token wrong", "Bearer wrong", "Basic Zm9vOmJhcg=="])
def test_bad_or_missing_credentials_answer_401(github: FakeGitHub, header: str | None) -> None:
    headers = {"Authorization": header} if header else {}
    answer = requests.get(api(github, f"/repos/{GITHUB_REPO}"), headers=headers)
    assert answer.status_code == 401
    assert answer.json()["message"] == "Bad credentials"


def test_bearer_token_is_accepted(github: FakeGitHub) -> None:
    answer = requests.get(
        api(github, f"/repos/{GITHUB_REPO}"), headers={"Authorization": f"Bearer {GITHUB_TOKEN}"}
    )
    assert answer.status_code == 200
    assert github.requests[-1].auth == "bearer"


def test_pygithub_sees_bad_credentials(github: FakeGitHub) -> None:
    g = Github(auth=Auth.Token("nope"), base_url=github.api_url, retry=None)
    with pytest.raises(BadCredentialsException):
        g.get_repo(GITHUB_REPO)
    g.close()


def test_unknown_repo_issue_or_pull_is_404(github: FakeGitHub, gh_client: Github) -> None:
    with pytest.raises(UnknownObjectException) as err:
        gh_client.get_repo("octo/missing")
    assert err.value.data["message"] == "Not Found"
    repo = gh_client.get_repo(GITHUB_REPO)
    with pytest.raises(UnknownObjectException):
        repo.get_pull(99)
    with pytest.raises(UnknownObjectException):
        repo.get_issue(99)
    github.add_issue(GITHUB_REPO, 13)
    with pytest.raises(UnknownObjectException):
        repo.get_pull(13)  # an issue, not a pull request


def test_an_operation_outside_the_subset_is_404_and_a_contract_error(
    github: FakeGitHub, http: requests.Session
) -> None:
    answer = http.get(api(github, f"/repos/{GITHUB_REPO}/contents/README.md"))
    assert answer.status_code == 404
    assert answer.json()["message"] == "Not Found"
    assert github.validation_errors == [
        f"GET /repos/{GITHUB_REPO}/contents/README.md: no such operation in the fake"
    ]
    github.validation_errors.clear()


# -- repositories, pulls, issues -------------------------------------------------------------------


def test_repository_pull_and_issue(github: FakeGitHub, gh_client: Github) -> None:
    repo = gh_client.get_repo(GITHUB_REPO)
    assert repo.full_name == GITHUB_REPO
    assert repo.default_branch == "main"
    pull = repo.get_pull(PULL_NUMBER)
    assert pull.head.sha == HEAD_SHA
    assert pull.head.repo.full_name == GITHUB_REPO
    assert pull.base.ref == "main"
    assert pull.base.sha == github.ref(GITHUB_REPO, "heads/main")
    issue = repo.get_issue(PULL_NUMBER)
    assert issue.pull_request is not None
    assert issue.html_url == f"{github.server_url}/{GITHUB_REPO}/pull/{PULL_NUMBER}"


def test_pull_request_from_a_fork(github: FakeGitHub, gh_client: Github) -> None:
    github.add_pull(GITHUB_REPO, 13, head_sha="b" * 40, head_repo="forker/demo")
    pull = gh_client.get_repo(GITHUB_REPO).get_pull(13)
    assert pull.head.repo.full_name == "forker/demo"
    assert pull.head.repo.fork is True
    assert pull.head.label == "forker:feature"
    assert pull.base.repo.full_name == GITHUB_REPO


# -- issue comments --------------------------------------------------------------------------------


def test_comment_create_edit_delete(github: FakeGitHub, gh_client: Github) -> None:
    pull = gh_client.get_repo(GITHUB_REPO).get_pull(PULL_NUMBER)
    comment = pull.create_issue_comment("<!-- mlreport -->\nfirst")
    assert comment.user.login == "github-actions[bot]"
    assert comment.user.type == "Bot"
    assert comment.html_url.endswith(f"/pull/{PULL_NUMBER}#issuecomment-{comment.id}")
    comment.edit("<!-- mlreport -->\nsecond")
    (stored,) = github.comments(GITHUB_REPO, PULL_NUMBER)
    assert stored["body"] == "<!-- mlreport -->\nsecond"
    assert stored["id"] == comment.id
    assert [c.body for c in pull.get_issue_comments()] == ["<!-- mlreport -->\nsecond"]
    comment.delete()
    assert github.comments(GITHUB_REPO, PULL_NUMBER) == []
    methods = [(r.method, r.path) for r in github.requests]
    assert ("PATCH", f"/repos/{GITHUB_REPO}/issues/comments/{comment.id}") in methods
    assert ("DELETE", f"/repos/{GITHUB_REPO}/issues/comments/{comment.id}") in methods


def test_user_login_authors_new_comments(github: FakeGitHub, http: requests.Session) -> None:
    github.user_login = "mlreport-bot"
    answer = http.post(api(github, COMMENTS), json={"body": "x"})
    assert answer.status_code == 201
    assert answer.headers["Location"] == answer.json()["url"]
    assert answer.json()["user"]["login"] == "mlreport-bot"
    assert answer.json()["user"]["type"] == "User"


def test_pagination_reaches_all_150_comments(github: FakeGitHub, gh_client: Github) -> None:
    seeded = github.seed_comments(GITHUB_REPO, PULL_NUMBER, count=150, body="lgtm", user="someone")
    pull = gh_client.get_repo(GITHUB_REPO).get_pull(PULL_NUMBER)
    github.requests.clear()
    listed = list(pull.get_issue_comments())
    assert [c.id for c in listed] == [c["id"] for c in seeded]
    assert {c.user.login for c in listed} == {"someone"}
    pages = [r.query.get("page", "1") for r in github.requests]
    assert pages == ["1", "2", "3", "4", "5"]  # 30 a page, following the Link headers


def test_link_header_and_per_page_cap(github: FakeGitHub, http: requests.Session) -> None:
    github.seed_comments(GITHUB_REPO, PULL_NUMBER, count=150)
    first = http.get(api(github, COMMENTS), params={"per_page": 500})
    assert len(first.json()) == 100  # GitHub caps per_page at 100
    assert first.links["next"]["url"].endswith("per_page=100&page=2")
    assert first.links["last"]["url"].endswith("page=2")
    second = http.get(first.links["next"]["url"])
    assert len(second.json()) == 50
    assert "next" not in second.links
    assert second.links["prev"]["url"].endswith("page=1")
    beyond = http.get(api(github, COMMENTS), params={"page": 9})
    assert beyond.json() == []


def test_comment_body_limit_is_65536_characters(github: FakeGitHub, http: requests.Session) -> None:
    assert http.post(api(github, COMMENTS), json={"body": "x" * 65536}).status_code == 201
    answer = http.post(api(github, COMMENTS), json={"body": "x" * 65537})
    assert answer.status_code == 422
    assert answer.json()["message"] == "Validation Failed"
    assert answer.json()["errors"] == [
        {
            "resource": "IssueComment",
            "code": "custom",
            "field": "body",
            "message": "body is too long (maximum is 65536 characters)",
        }
    ]
    comment_id = github.comments(GITHUB_REPO, PULL_NUMBER)[0]["id"]
    edit = http.patch(
        api(github, f"/repos/{GITHUB_REPO}/issues/comments/{comment_id}"),
        json={"body": "y" * 70000},
    )
    assert edit.status_code == 422
    assert len(github.comments(GITHUB_REPO, PULL_NUMBER)) == 1


def test_pygithub_raises_on_a_too_long_comment(github: FakeGitHub, gh_client: Github) -> None:
    pull = gh_client.get_repo(GITHUB_REPO).get_pull(PULL_NUMBER)
    with pytest.raises(GithubException) as err:
        pull.create_issue_comment("x" * 65537)
    assert err.value.status == 422


def test_fork_token_cannot_write(github: FakeGitHub, gh_client: Github) -> None:
    github.add_repo("octo/forked", permission="read")
    github.add_pull("octo/forked", 3, head_sha=HEAD_SHA, head_repo="someone/forked")
    with requests.Session() as http:
        http.headers["Authorization"] = f"token {github.token}"
        denied = http.post(api(github, "/repos/octo/forked/issues/3/comments"), json={"body": "x"})
        assert denied.status_code == 403
        assert denied.json()["message"] == "Resource not accessible by integration"
        assert denied.json()["documentation_url"].startswith("https://docs.github.com/rest/")
        assert (
            denied.headers["x-accepted-github-permissions"] == "issues=write; pull_requests=write"
        )
        blob = http.post(api(github, "/repos/octo/forked/git/blobs"), json={"content": "x"})
        assert blob.status_code == 403
        assert blob.headers["x-accepted-github-permissions"] == "contents=write"
        assert http.get(api(github, "/repos/octo/forked/pulls/3")).status_code == 200
    pull = gh_client.get_repo("octo/forked").get_pull(3)
    with pytest.raises(GithubException) as err:
        pull.create_issue_comment("hello")
    assert err.value.status == 403
    assert github.comments("octo/forked", 3) == []


def test_concurrent_comments_are_all_kept(github: FakeGitHub) -> None:
    statuses: list[int] = []

    def post(n: int) -> None:
        answer = requests.post(
            api(github, COMMENTS),
            json={"body": f"#{n}"},
            headers={"Authorization": f"token {GITHUB_TOKEN}"},
        )
        statuses.append(answer.status_code)

    threads = [threading.Thread(target=post, args=(n,)) for n in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [201] * 20
    comments = github.comments(GITHUB_REPO, PULL_NUMBER)
    assert sorted(c["body"] for c in comments) == sorted(f"#{n}" for n in range(20))
    assert len({c["id"] for c in comments}) == 20


# -- commit comments and check runs ----------------------------------------------------------------


def test_commit_comments_with_a_lazy_pygithub(github: FakeGitHub) -> None:
    g = client(github, lazy=True)
    commit = g.get_repo(GITHUB_REPO).get_commit(HEAD_SHA)  # lazy: no GET /commits/{ref}
    comment = commit.create_comment("on the commit")
    assert comment.commit_id == HEAD_SHA
    comment.edit("edited")
    assert [c["body"] for c in github.commit_comments(GITHUB_REPO, HEAD_SHA)] == ["edited"]
    assert [c.body for c in commit.get_comments()] == ["edited"]
    comment.delete()
    assert github.commit_comments(GITHUB_REPO, HEAD_SHA) == []
    g.close()


def test_commit_comment_on_an_unknown_commit_is_422(
    github: FakeGitHub, http: requests.Session
) -> None:
    answer = http.post(
        api(github, f"/repos/{GITHUB_REPO}/commits/{'c' * 40}/comments"), json={"body": "x"}
    )
    assert answer.status_code == 422
    assert answer.json()["message"] == f"No commit found for SHA: {'c' * 40}"


def test_check_run(github: FakeGitHub, gh_client: Github) -> None:
    run = gh_client.get_repo(GITHUB_REPO).create_check_run(
        "mlreport",
        HEAD_SHA,
        conclusion="failure",
        output={"title": "2 gates failed", "summary": "..."},
    )
    assert run.status == "completed"
    (stored,) = github.check_runs(GITHUB_REPO)
    assert stored["id"] == run.id
    assert stored["conclusion"] == "failure"
    assert stored["output"]["title"] == "2 gates failed"
    assert stored["app"]["slug"] == "github-actions"


# -- Git data --------------------------------------------------------------------------------------


def _git(cwd: Path, *args: str, stdin: bytes = b"", env: dict[str, str] | None = None) -> str:
    done = subprocess.run(
        ["git", *args],
        cwd=cwd,
        input=stdin,
        capture_output=True,
        check=True,
        env={**os.environ, **(env or {})},
    )
    return done.stdout.decode().strip()


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_git_object_shas_are_real_git_shas(
    github: FakeGitHub, http: requests.Session, tmp_path: Path
) -> None:
    """Blob, tree and commit SHAs are those git itself computes for the same objects."""
    _git(tmp_path, "init", "-q")
    blob = http.post(
        api(github, f"/repos/{GITHUB_REPO}/git/blobs"),
        json={"content": base64.b64encode(PNG).decode(), "encoding": "base64"},
    ).json()
    (tmp_path / "chart.png").write_bytes(PNG)
    assert blob["sha"] == _git(tmp_path, "hash-object", "-w", "chart.png") == git_blob_sha(PNG)
    tree = http.post(
        api(github, f"/repos/{GITHUB_REPO}/git/trees"),
        json={
            "tree": [
                {"path": "pr-12/chart.png", "mode": "100644", "type": "blob", "sha": blob["sha"]},
                {"path": "index.md", "mode": "100644", "type": "blob", "content": "# report\n"},
            ]
        },
    ).json()
    _git(tmp_path, "add", "chart.png")
    (tmp_path / "index.md").write_text("# report\n")
    _git(tmp_path, "hash-object", "-w", "index.md")
    sub = _git(tmp_path, "mktree", stdin=f"100644 blob {blob['sha']}\tchart.png\n".encode())
    index_sha = git_blob_sha(b"# report\n")
    root = _git(
        tmp_path,
        "mktree",
        stdin=f"100644 blob {index_sha}\tindex.md\n040000 tree {sub}\tpr-12\n".encode(),
    )
    assert tree["sha"] == root
    when = "2024-05-01T12:00:00+02:00"
    author = {"name": "mlreport", "email": "mlreport@example.com", "date": when}
    commit = http.post(
        api(github, f"/repos/{GITHUB_REPO}/git/commits"),
        json={"message": "Add report\n", "tree": tree["sha"], "parents": [], "author": author},
    ).json()
    env = {
        "GIT_AUTHOR_NAME": "mlreport",
        "GIT_AUTHOR_EMAIL": "mlreport@example.com",
        "GIT_AUTHOR_DATE": when,
        "GIT_COMMITTER_NAME": "mlreport",
        "GIT_COMMITTER_EMAIL": "mlreport@example.com",
        "GIT_COMMITTER_DATE": when,
    }
    assert commit["sha"] == _git(tmp_path, "commit-tree", root, stdin=b"Add report\n", env=env)
    assert commit["author"]["date"] == when
    assert commit["committer"] == author  # the committer defaults to the author


def test_identical_commits_have_identical_shas(github: FakeGitHub, http: requests.Session) -> None:
    github.add_repo("octo/other")
    shas = []
    for repo in (GITHUB_REPO, "octo/other"):
        tree = http.post(
            api(github, f"/repos/{repo}/git/trees"),
            json={"tree": [{"path": "a.txt", "mode": "100644", "type": "blob", "content": "a"}]},
        ).json()["sha"]
        who = {"name": "n", "email": "e@x", "date": "2024-01-02T03:04:05Z"}
        body = {"message": "m", "tree": tree, "parents": [], "author": who, "committer": who}
        shas.append(http.post(api(github, f"/repos/{repo}/git/commits"), json=body).json()["sha"])
    assert shas[0] == shas[1]


def test_assets_branch_round_trip_with_pygithub(github: FakeGitHub, gh_client: Github) -> None:
    """blob -> tree -> commit -> ref -> the raw URL serves the bytes."""
    repo = gh_client.get_repo(GITHUB_REPO)
    with pytest.raises(UnknownObjectException):
        repo.get_git_ref("heads/mlreport-assets")
    blob = repo.create_git_blob(base64.b64encode(PNG).decode(), "base64")
    main = repo.get_git_ref("heads/main")
    base = repo.get_git_commit(main.object.sha)
    element = InputGitTreeElement("reports/pr-12/roc.png", "100644", "blob", sha=blob.sha)
    tree = repo.create_git_tree([element], base_tree=base.tree)
    bot = InputGitAuthor(
        "github-actions[bot]", "41898282+github-actions[bot]@users.noreply.github.com"
    )
    commit = repo.create_git_commit("mlreport: assets for #12", tree, [base], author=bot)
    ref = repo.create_git_ref("refs/heads/mlreport-assets", commit.sha)
    assert ref.ref == "refs/heads/mlreport-assets"
    assert repo.get_git_ref("heads/mlreport-assets").object.sha == commit.sha
    assert github.branch_files(GITHUB_REPO, "mlreport-assets") == {
        "README.md": b"# demo\n",
        "reports/pr-12/roc.png": PNG,
    }
    assert github.branch_files(GITHUB_REPO, "nope") == {}
    listing = repo.get_git_tree("mlreport-assets", recursive=True)  # a branch name as tree_sha
    assert [e.path for e in listing.tree] == [
        "README.md",
        "reports",
        "reports/pr-12",
        "reports/pr-12/roc.png",
    ]
    url = f"{github.server_url}/{GITHUB_REPO}/blob/{commit.sha}/reports/pr-12/roc.png?raw=true"
    raw = requests.get(url)
    assert raw.status_code == 200
    assert raw.content == PNG
    assert raw.headers["Content-Type"] == "image/png"
    assert raw.history[0].status_code == 302
    by_branch = requests.get(
        f"{github.server_url}/{GITHUB_REPO}/blob/mlreport-assets/reports/pr-12/roc.png?raw=true"
    )
    assert by_branch.content == PNG
    missing = requests.get(
        f"{github.server_url}/{GITHUB_REPO}/blob/{commit.sha}/reports/nope.png?raw=true"
    )
    assert missing.status_code == 404
    old = requests.get(
        f"{github.server_url}/{GITHUB_REPO}/blob/{base.sha}/reports/pr-12/roc.png?raw=true"
    )
    assert old.status_code == 404  # not in that commit


def test_ref_update_must_fast_forward_unless_forced(github: FakeGitHub, gh_client: Github) -> None:
    repo = gh_client.get_repo(GITHUB_REPO)
    main = repo.get_git_commit(repo.get_git_ref("heads/main").object.sha)
    child = repo.create_git_commit("child", main.tree, [main])
    repo.create_git_ref("refs/heads/mlreport-assets", main.sha)
    ref = repo.get_git_ref("heads/mlreport-assets")
    ref.edit(child.sha)  # a fast forward
    unrelated = repo.create_git_commit("unrelated", main.tree, [])
    with pytest.raises(GithubException) as err:
        ref.edit(unrelated.sha, force=False)
    assert err.value.status == 422
    assert err.value.data["message"] == "Update is not a fast forward"
    assert github.ref(GITHUB_REPO, "heads/mlreport-assets") == child.sha
    ref.edit(unrelated.sha, force=True)
    assert github.ref(GITHUB_REPO, "refs/heads/mlreport-assets") == unrelated.sha


def test_refs_with_a_slash_over_plain_http(github: FakeGitHub, http: requests.Session) -> None:
    main = github.ref(GITHUB_REPO, "heads/main")
    refs = api(github, f"/repos/{GITHUB_REPO}/git")
    assert http.get(f"{refs}/ref/heads/feature/x").status_code == 404
    created = http.post(f"{refs}/refs", json={"ref": "refs/heads/feature/x", "sha": main})
    assert created.status_code == 201
    assert created.json()["url"] == f"{refs}/refs/heads/feature/x"
    assert http.get(f"{refs}/ref/heads/feature/x").json()["object"]["sha"] == main
    again = http.post(f"{refs}/refs", json={"ref": "refs/heads/feature/x", "sha": main})
    assert (again.status_code, again.json()["message"]) == (422, "Reference already exists")
    bad = http.post(f"{refs}/refs", json={"ref": "heads/y", "sha": main})
    assert bad.status_code == 422
    unknown = http.post(f"{refs}/refs", json={"ref": "refs/heads/y", "sha": "d" * 40})
    assert (unknown.status_code, unknown.json()["message"]) == (422, "Object does not exist")
    missing = http.patch(f"{refs}/refs/heads/none", json={"sha": main})
    assert (missing.status_code, missing.json()["message"]) == (422, "Reference does not exist")
    assert http.patch(f"{refs}/refs/heads/feature/x", json={"sha": main}).status_code == 200


def test_tree_with_base_tree_and_deletion(github: FakeGitHub, http: requests.Session) -> None:
    trees = api(github, f"/repos/{GITHUB_REPO}/git/trees")
    first = http.post(
        trees,
        json={
            "tree": [
                {"path": "a/1.txt", "mode": "100644", "type": "blob", "content": "1"},
                {"path": "a/2.txt", "mode": "100644", "type": "blob", "content": "2"},
                {"path": "b.txt", "mode": "100644", "type": "blob", "content": "b"},
            ]
        },
    ).json()
    assert [(e["path"], e["type"]) for e in first["tree"]] == [("a", "tree"), ("b.txt", "blob")]
    second = http.post(
        trees,
        json={
            "base_tree": first["sha"],
            "tree": [
                {"path": "a/1.txt", "mode": "100644", "type": "blob", "sha": None},
                {"path": "c.txt", "mode": "100644", "type": "blob", "content": "c"},
            ],
        },
    ).json()
    listing = http.get(f"{trees}/{second['sha']}", params={"recursive": "1"}).json()
    assert [e["path"] for e in listing["tree"]] == ["a", "a/2.txt", "b.txt", "c.txt"]
    flat = http.get(f"{trees}/{second['sha']}").json()
    assert [e["path"] for e in flat["tree"]] == ["a", "b.txt", "c.txt"]
    assert flat["tree"][1]["size"] == 1
    both = http.post(
        trees,
        json={
            "tree": [
                {"path": "x", "mode": "100644", "type": "blob", "sha": "e" * 40, "content": "x"}
            ]
        },
    )
    assert both.status_code == 422
    assert http.get(f"{trees}/{'f' * 40}").status_code == 404


# -- contents: records, one file per commit -------------------------------------------------------

RECORD = f"records/default/{'c' * 40}/record.npz"
CONTENTS = f"/repos/{GITHUB_REPO}/contents"


def _put(
    http: requests.Session, gh: FakeGitHub, path: str, data: bytes, **fields: object
) -> requests.Response:
    body = {"message": f"mlreport: {path}", "content": base64.b64encode(data).decode(), **fields}
    return http.put(api(gh, f"{CONTENTS}/{path}"), json=body)


def test_put_creates_then_updates_a_file_as_one_commit_each(
    github: FakeGitHub, http: requests.Session
) -> None:
    main = github.ref(GITHUB_REPO, "heads/main")
    created = _put(http, github, RECORD, b"\x00first", branch="main")
    assert created.status_code == 201
    body = created.json()
    content, commit = body["content"], body["commit"]
    assert content["path"] == RECORD
    assert content["name"] == "record.npz"
    assert content["sha"] == git_blob_sha(b"\x00first")
    assert content["size"] == 6
    assert content["type"] == "file"
    assert content["git_url"] == api(github, f"/repos/{GITHUB_REPO}/git/blobs/{content['sha']}")
    assert requests.get(content["download_url"]).content == b"\x00first"
    assert [p["sha"] for p in commit["parents"]] == [main]
    assert commit["message"] == f"mlreport: {RECORD}"
    assert commit["committer"]["name"] == commit["author"]["name"] == "github-actions[bot]"
    assert github.ref(GITHUB_REPO, "heads/main") == commit["sha"]
    assert github.branch_files(GITHUB_REPO, "main") == {
        "README.md": b"# demo\n",
        RECORD: b"\x00first",
    }
    updated = _put(http, github, RECORD, b"second", sha=content["sha"])  # the default branch
    assert updated.status_code == 200
    assert [p["sha"] for p in updated.json()["commit"]["parents"]] == [commit["sha"]]
    assert github.branch_files(GITHUB_REPO, "main")[RECORD] == b"second"


def test_put_with_pygithub_and_an_encoded_path(github: FakeGitHub, gh_client: Github) -> None:
    repo = gh_client.get_repo(GITHUB_REPO)
    github.put_file(GITHUB_REPO, "mlreport-records", "seed.txt", b"seed")
    done = repo.create_file(RECORD, "add a record", b"npz", branch="mlreport-records")
    assert done["content"].sha == git_blob_sha(b"npz")
    again = repo.update_file(
        RECORD,
        "replace it",
        b"npz2",
        done["content"].sha,
        branch="mlreport-records",
        committer=InputGitAuthor("mlreport", "mlreport@example.com"),
    )
    assert again["commit"].sha == github.ref(GITHUB_REPO, "heads/mlreport-records")
    assert github.requests[-1].path == f"{CONTENTS}/{RECORD}"  # PyGithub keeps the slashes
    commit = repo.get_git_commit(again["commit"].sha)
    assert (commit.committer.name, commit.committer.email) == ("mlreport", "mlreport@example.com")
    assert commit.author.name == "mlreport"  # the author defaults to the committer
    with requests.Session() as http:
        http.headers["Authorization"] = f"token {github.token}"
        encoded = RECORD.replace("/", "%2F")
        answer = http.put(
            api(github, f"{CONTENTS}/{encoded}"),
            json={
                "message": "m",
                "content": base64.b64encode(b"npz3").decode(),
                "branch": "mlreport-records",
                "sha": git_blob_sha(b"npz2"),
            },
        )
    assert answer.status_code == 200
    assert answer.json()["content"]["path"] == RECORD
    assert github.branch_files(GITHUB_REPO, "mlreport-records")[RECORD] == b"npz3"


def test_put_errors_are_github_s(github: FakeGitHub, http: requests.Session) -> None:
    first = _put(http, github, RECORD, b"one").json()
    head = github.ref(GITHUB_REPO, "heads/main")
    missing_sha = _put(http, github, RECORD, b"two")
    assert missing_sha.status_code == 422
    assert missing_sha.json()["message"] == 'Invalid request.\n\n"sha" wasn\'t supplied.'
    stale = _put(http, github, RECORD, b"two", sha=git_blob_sha(b"zero"))
    assert stale.status_code == 409
    assert stale.json()["message"] == f"{RECORD} does not match {git_blob_sha(b'zero')}"
    no_branch = _put(http, github, RECORD, b"two", branch="nope", sha="0" * 40)
    assert (no_branch.status_code, no_branch.json()["message"]) == (404, "Branch nope not found")
    directory = _put(http, github, "records/default", b"x")
    assert directory.status_code == 422  # a directory is there: "sha" is needed, and cannot match
    assert _put(http, github, "records/default", b"x", sha="0" * 40).status_code == 409
    assert _put(http, github, f"{RECORD}/below", b"x").status_code == 422  # below a file
    for malformed in ("a//b.txt", "a/%2E%2E/b.txt", ".git/config"):  # requests keeps these
        answer = _put(http, github, malformed, b"x")
        assert (answer.status_code, answer.json()["message"]) == (
            422,
            "path contains a malformed path component",
        )
    not_base64 = http.put(api(github, f"{CONTENTS}/x.txt"), json={"message": "m", "content": "@@"})
    assert (not_base64.status_code, not_base64.json()["message"]) == (
        422,
        "content is not valid Base64",
    )
    assert github.ref(GITHUB_REPO, "heads/main") == head  # nothing of that changed the branch
    new = _put(http, github, "new.txt", b"x", sha="1" * 40)  # sha is ignored for a new file
    assert new.status_code == 201
    assert github.branch_files(GITHUB_REPO, "main")[RECORD] == b"one"
    assert first["content"]["sha"] == git_blob_sha(b"one")


def test_put_needs_message_and_content(github: FakeGitHub, http: requests.Session) -> None:
    answer = http.put(api(github, f"{CONTENTS}/x.txt"), json={"content": "eA=="})
    assert answer.status_code == 422
    assert "message" in answer.json()["message"]
    (error,) = github.validation_errors
    assert error.startswith(f"request PUT {CONTENTS}/x.txt: ")
    github.validation_errors.clear()


def test_read_only_token_cannot_put(github: FakeGitHub, http: requests.Session) -> None:
    github.add_repo("octo/forked", permission="read")
    answer = http.put(
        api(github, "/repos/octo/forked/contents/x.txt"), json={"message": "m", "content": "eA=="}
    )
    assert answer.status_code == 403
    assert answer.headers["x-accepted-github-permissions"] == "contents=write"
    assert github.branch_files("octo/forked", "main") == {"README.md": b"# forked\n"}


def test_concurrent_puts_of_different_paths_all_land(github: FakeGitHub) -> None:
    statuses: list[int] = []

    def put(n: int) -> None:
        with requests.Session() as session:
            session.headers["Authorization"] = f"token {GITHUB_TOKEN}"
            answer = _put(session, github, f"records/default/{n:040x}/record.npz", b"r")
            statuses.append(answer.status_code)

    threads = [threading.Thread(target=put, args=(n,)) for n in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [201] * 10
    files = github.branch_files(GITHUB_REPO, "main")
    assert {f"records/default/{n:040x}/record.npz" for n in range(10)} <= files.keys()
    # one commit each, in a line: every PUT went on top of the one before
    http = requests.Session()
    http.headers["Authorization"] = f"token {GITHUB_TOKEN}"
    sha, depth = github.ref(GITHUB_REPO, "heads/main"), 0
    while True:
        parents = http.get(api(github, f"/repos/{GITHUB_REPO}/git/commits/{sha}")).json()["parents"]
        if not parents:
            break
        (parent,) = parents
        sha, depth = parent["sha"], depth + 1
    http.close()
    assert depth == 10


def test_conflict_next_put_is_a_409_that_changes_nothing(
    github: FakeGitHub, http: requests.Session
) -> None:
    head = github.ref(GITHUB_REPO, "heads/main")
    github.conflict_next_put(GITHUB_REPO)
    moved = _put(http, github, RECORD, b"r")
    assert moved.status_code == 409
    message = moved.json()["message"]
    assert message.startswith("is at ") and message.endswith(f" but expected {head}")
    assert github.ref(GITHUB_REPO, "heads/main") == head
    assert _put(http, github, RECORD, b"r").status_code == 201  # once only
    github.add_repo("octo/other")
    github.conflict_next_put("octo/other")
    assert _put(http, github, "x.txt", b"x").status_code == 201  # another repository's fault
    other = http.put(
        api(github, "/repos/octo/other/contents/x.txt"), json={"message": "m", "content": "eA=="}
    )
    assert other.status_code == 409
    assert github.branch_files("octo/other", "main") == {"README.md": b"# other\n"}


def test_get_blob_is_base64_wrapped_like_github(
    github: FakeGitHub, http: requests.Session, gh_client: Github
) -> None:
    data = bytes(range(256)) * 4
    sha = _put(http, github, RECORD, data).json()["content"]["sha"]
    blob = http.get(api(github, f"/repos/{GITHUB_REPO}/git/blobs/{sha}"))
    assert blob.status_code == 200
    body = blob.json()
    assert (body["sha"], body["size"], body["encoding"]) == (sha, 1024, "base64")
    assert body["url"] == api(github, f"/repos/{GITHUB_REPO}/git/blobs/{sha}")
    lines = body["content"].split("\n")
    assert lines[-1] == "" and all(len(line) <= 60 for line in lines)
    assert base64.b64decode(body["content"]) == data
    assert base64.b64decode(gh_client.get_repo(GITHUB_REPO).get_git_blob(sha).content) == data
    missing = http.get(api(github, f"/repos/{GITHUB_REPO}/git/blobs/{'e' * 40}"))
    assert (missing.status_code, missing.json()["message"]) == (404, "Not Found")


def test_recursive_tree_lists_nested_record_paths(
    github: FakeGitHub, http: requests.Session
) -> None:
    github.put_file(GITHUB_REPO, "mlreport-records", RECORD, b"npz")
    github.put_file(GITHUB_REPO, "mlreport-records", "records/other/index.json", b"{}")
    tree = http.get(
        api(github, f"/repos/{GITHUB_REPO}/git/trees/mlreport-records"), params={"recursive": "1"}
    ).json()
    listing = [(e["path"], e["type"]) for e in tree["tree"]]
    assert listing == [
        ("README.md", "blob"),
        ("records", "tree"),
        ("records/default", "tree"),
        (f"records/default/{'c' * 40}", "tree"),
        (RECORD, "blob"),
        ("records/other", "tree"),
        ("records/other/index.json", "blob"),
    ]
    (entry,) = [e for e in tree["tree"] if e["path"] == RECORD]
    assert (entry["sha"], entry["size"], entry["mode"]) == (git_blob_sha(b"npz"), 3, "100644")
    assert tree["truncated"] is False


def test_put_file_seeds_a_branch(github: FakeGitHub) -> None:
    main = github.ref(GITHUB_REPO, "heads/main")
    first = github.put_file(GITHUB_REPO, "mlreport-records", RECORD, b"1")
    assert github.ref(GITHUB_REPO, "heads/mlreport-records") == first
    assert github.ref(GITHUB_REPO, "heads/main") == main  # branched off it, left alone
    second = github.put_file(GITHUB_REPO, "mlreport-records", RECORD, b"2", message="again")
    assert github.branch_files(GITHUB_REPO, "mlreport-records") == {
        "README.md": b"# demo\n",
        RECORD: b"2",
    }
    assert second != first
    with pytest.raises(ValueError, match="directory"):
        github.put_file(GITHUB_REPO, "mlreport-records", "records", b"x")
    with pytest.raises(ValueError, match="parent"):
        github.put_file(GITHUB_REPO, "mlreport-records", f"{RECORD}/x", b"x")


def test_a_20_mb_record_round_trip(github: FakeGitHub, http: requests.Session) -> None:
    data = os.urandom(20 * 1024 * 1024)
    put = _put(http, github, RECORD, data, branch="main")
    assert put.status_code == 201
    sha = put.json()["content"]["sha"]
    blob = http.get(api(github, f"/repos/{GITHUB_REPO}/git/blobs/{sha}")).json()
    assert blob["size"] == len(data)
    assert base64.b64decode(blob["content"]) == data


# -- faults and latency ----------------------------------------------------------------------------


def test_a_500_once_then_success(github: FakeGitHub, http: requests.Session) -> None:
    github.add_fault(method="POST", path=r"/repos/.*/comments", status=500, times=1)
    failed = http.post(api(github, COMMENTS), json={"body": "x"})
    assert failed.status_code == 500
    assert "x-ratelimit-remaining" in failed.headers
    assert github.comments(GITHUB_REPO, PULL_NUMBER) == []  # a faulted request changes nothing
    assert http.post(api(github, COMMENTS), json={"body": "x"}).status_code == 201
    assert len(github.comments(GITHUB_REPO, PULL_NUMBER)) == 1


def test_pygithub_retries_a_500(github: FakeGitHub, gh_client: Github) -> None:
    github.add_fault(method="POST", path=r"/issues/\d+/comments$", status=502, times=1)
    gh_client.get_repo(GITHUB_REPO).get_pull(PULL_NUMBER).create_issue_comment("retried")
    posts = [r for r in github.requests if r.method == "POST"]
    assert len(posts) == 2
    assert [c["body"] for c in github.comments(GITHUB_REPO, PULL_NUMBER)] == ["retried"]


def test_fault_with_body_and_headers(github: FakeGitHub, http: requests.Session) -> None:
    github.add_fault(
        path="/pulls/",
        status=403,
        headers={"x-ratelimit-remaining": "0", "retry-after": "60"},
        body={"message": "You have exceeded a secondary rate limit."},
    )
    answer = http.get(api(github, f"/repos/{GITHUB_REPO}/pulls/{PULL_NUMBER}"))
    assert answer.status_code == 403
    assert answer.headers["x-ratelimit-remaining"] == "0"
    assert answer.headers["retry-after"] == "60"
    assert answer.json() == {"message": "You have exceeded a secondary rate limit."}
    assert http.get(api(github, f"/repos/{GITHUB_REPO}/pulls/{PULL_NUMBER}")).status_code == 200


def test_connection_reset(github: FakeGitHub, http: requests.Session) -> None:
    github.add_fault(method="POST", path="comments", reset=True)
    with pytest.raises(requests.ConnectionError):
        http.post(api(github, COMMENTS), json={"body": "x"})
    assert github.comments(GITHUB_REPO, PULL_NUMBER) == []
    assert http.post(api(github, COMMENTS), json={"body": "x"}).status_code == 201


def test_slow_response(github: FakeGitHub, http: requests.Session) -> None:
    github.add_fault(method="GET", path="/pulls/", delay=0.5, times=2)
    with pytest.raises(requests.ReadTimeout):
        http.get(api(github, f"/repos/{GITHUB_REPO}/pulls/{PULL_NUMBER}"), timeout=0.1)
    began = time.perf_counter()
    answer = http.get(api(github, f"/repos/{GITHUB_REPO}/pulls/{PULL_NUMBER}"))
    assert time.perf_counter() - began >= 0.45
    assert answer.status_code == 200  # slow, then answered normally
    began = time.perf_counter()
    http.get(api(github, f"/repos/{GITHUB_REPO}/pulls/{PULL_NUMBER}"))
    assert time.perf_counter() - began < 0.5


def test_latency_is_added_to_every_request(github: FakeGitHub, http: requests.Session) -> None:
    github.latency = 0.2
    began = time.perf_counter()
    http.get(api(github, f"/repos/{GITHUB_REPO}"))
    http.get(api(github, "/repos/nobody/nothing"))
    assert time.perf_counter() - began >= 0.38


# -- contract checks -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("payload", "mentioned"),
    [({"bod": "x"}, "body"), ({"body": 5}, "5 is not of type 'string'"), ({"body": None}, "None")],
)
def test_requests_that_break_the_contract_are_422(
    github: FakeGitHub, http: requests.Session, payload: dict[str, object], mentioned: str
) -> None:
    answer = http.post(api(github, COMMENTS), json=payload)
    assert answer.status_code == 422
    assert answer.json()["message"].startswith("Invalid request.")
    assert mentioned in answer.json()["message"]
    (error,) = github.validation_errors
    assert error.startswith(f"request POST {COMMENTS}: ")
    assert mentioned in error
    assert github.comments(GITHUB_REPO, PULL_NUMBER) == []
    github.validation_errors.clear()


def test_query_parameters_are_checked(github: FakeGitHub, http: requests.Session) -> None:
    answer = http.get(api(github, COMMENTS), params={"per_page": "many"})
    assert answer.status_code == 422
    assert "per_page" in github.validation_errors[0]
    github.validation_errors.clear()


def test_ref_creation_without_sha_is_caught(github: FakeGitHub, http: requests.Session) -> None:
    answer = http.post(api(github, f"/repos/{GITHUB_REPO}/git/refs"), json={"ref": "refs/heads/x"})
    assert answer.status_code == 422
    assert "sha" in github.validation_errors[0]
    github.validation_errors.clear()


def test_the_validator_catches_a_broken_response(
    github: FakeGitHub, http: requests.Session
) -> None:
    contract = load_contract(OPENAPI_DIR / "github.json")
    good = http.post(api(github, COMMENTS), json={"body": "x"})
    comment = good.json()
    req = Request("POST", COMMENTS, [], {"content-type": "application/json"}, b'{"body": "x"}')
    req.params = {"owner": "octo", "repo": "demo", "issue_number": str(PULL_NUMBER)}
    template = "/repos/{owner}/{repo}/issues/{issue_number}/comments"
    assert contract.response_errors(req, template, Response.json(201, comment)) == []
    for broken in ({k: v for k, v in comment.items() if k != "user"}, {**comment, "id": "1"}):
        errors = contract.response_errors(req, template, Response.json(201, broken))
        assert errors, broken
    assert contract.response_errors(req, template, Response.json(201, [comment]))
    assert contract.request_errors(req, template) == []
    req.body = b'{"body": 1}'
    assert contract.request_errors(req, template)


def test_a_broken_fake_response_is_recorded(http: requests.Session) -> None:
    class Broken(FakeGitHub):
        def _get_repo(self, req: Request) -> Response:
            data = json.loads(super()._get_repo(req).body)
            del data["default_branch"]
            return Response.json(200, data)

    with Broken() as fake:
        fake.add_repo(GITHUB_REPO)
        answer = http.get(
            api(fake, f"/repos/{GITHUB_REPO}"), headers={"Authorization": f"token {fake.token}"}
        )
        assert answer.status_code == 200  # sent anyway
        (error,) = fake.validation_errors
        assert error.startswith(f"response 200 to GET /repos/{GITHUB_REPO}: ")
        assert "default_branch" in error


def test_every_route_is_an_operation_of_the_subset(github: FakeGitHub) -> None:
    operations = set(github.contract.templates())
    routes = {(r.method, r.template) for r in github._routes if r.api}
    assert routes <= operations
    assert len(operations) == 39


# -- the subset and the event payloads -------------------------------------------------------------


def test_the_subset_records_its_source_and_stays_small() -> None:
    path = ROOT / "tests" / "fakes" / "openapi" / "github.json"
    spec = json.loads(path.read_text(encoding="utf-8"))
    assert spec["info"]["x-source"] == {
        "package": "@octokit/openapi",
        "version": "23.0.2",
        "file": "generated/api.github.com.json",
    }
    assert path.stat().st_size < 300_000
    text = path.read_text(encoding="utf-8")
    assert '"x-github"' not in text
    assert '"examples"' not in text
    assert "/repos/{owner}/{repo}/git/ref/{ref}" in spec["paths"]
    assert "/orgs/{org}/actions/runners/{runner_id}" in spec["paths"]


def test_the_subset_script_keeps_what_operations_reference() -> None:
    from scripts.github_openapi_subset import OPERATIONS, subset

    full = {
        "openapi": "3.0.3",
        "info": {"title": "t", "version": "1"},
        "paths": {
            path: {
                m: {"responses": {"200": {"$ref": "#/components/responses/ok"}}, "x-github": {}}
                for m in ms
            }
            for path, ms in OPERATIONS.items()
        },
        "components": {
            "responses": {
                "ok": {
                    "description": "d",
                    "content": {"a/b": {"schema": {"$ref": "#/components/schemas/s"}}},
                }
            },
            "schemas": {
                "s": {
                    "type": "object",
                    "properties": {"example": {"$ref": "#/components/schemas/t"}},
                },
                "t": {"type": "string", "example": "dropped"},
                "unused": {"type": "string"},
            },
        },
    }
    result = subset(full, "9.9.9")
    assert set(result["components"]["schemas"]) == {"s", "t"}
    assert "example" in result["components"]["schemas"]["s"]["properties"]  # a property's name
    assert "example" not in result["components"]["schemas"]["t"]
    assert all("x-github" not in op for item in result["paths"].values() for op in item.values())
    assert result["info"]["x-source"]["version"] == "9.9.9"


@pytest.mark.parametrize(
    ("name", "event_key"),
    [
        ("pull_request.opened.json", "pull_request"),
        ("pull_request.opened.fork.json", "pull_request"),
        ("push.json", "head_commit"),
        ("workflow_run.completed.json", "workflow_run"),
    ],
)
def test_event_payloads(name: str, event_key: str) -> None:
    payload = json.loads(
        (ROOT / "tests" / "fixtures" / "events" / name).read_text(encoding="utf-8")
    )
    assert event_key in payload
    assert payload["repository"]["full_name"] in ("Codertocat/Hello-World", "octo-org/octo-repo")
    if name.startswith("pull_request"):
        pull = payload["pull_request"]
        assert payload["action"] == "opened"
        fork = pull["head"]["repo"]["full_name"] != pull["base"]["repo"]["full_name"]
        assert fork == pull["head"]["repo"]["fork"] == ("fork" in name)
    if name.startswith("workflow_run"):
        assert payload["action"] == "completed"
        assert payload["workflow_run"]["conclusion"] == "success"
