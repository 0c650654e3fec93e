"""The fake GitHub serves the self-hosted runner API of a repository and of an organization, and
simulates what the runner application on a new machine does (connect, register, finish a job)."""

from __future__ import annotations

import base64
import json
import re
import threading
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
import requests
from github import Auth, Github, GithubException

from tests.fakes.github import RUNNER_VERSION, FakeGitHub

REPO = "octo/demo"
ORG = "octo-org"
RUNNERS = f"/repos/{REPO}/actions/runners"
ORG_RUNNERS = f"/orgs/{ORG}/actions/runners"
DEFAULT_LABELS = [("self-hosted", "read-only"), ("Linux", "read-only"), ("X64", "read-only")]


@pytest.fixture
def gh() -> Iterator[FakeGitHub]:
    """octo/demo (admin), octo/writer (write), octo/reader (read); orgs octo-org (admin) and
    member-org (write)."""
    with FakeGitHub() as fake:
        fake.add_repo(REPO, permission="admin")
        fake.add_repo("octo/writer", permission="write")
        fake.add_repo("octo/reader", permission="read")
        fake.add_org(ORG)
        fake.add_org("member-org", permission="write")
        yield fake
        assert fake.validation_errors == []


@pytest.fixture
def http(gh: FakeGitHub) -> Iterator[requests.Session]:
    with requests.Session() as session:
        session.headers["Authorization"] = f"token {gh.token}"
        yield session


@pytest.fixture
def client(gh: FakeGitHub) -> Iterator[Github]:
    # lazy: GET /orgs/{org} is not in the subset, and the runner calls need only the URL
    g = Github(
        auth=Auth.Token(gh.token),
        base_url=gh.api_url,
        seconds_between_requests=0,
        seconds_between_writes=0,
        lazy=True,
    )
    yield g
    g.close()


def jit(
    gh: FakeGitHub,
    http: requests.Session,
    name: str,
    labels: list[str] | None = None,
    base: str = RUNNERS,
    **extra: Any,
) -> requests.Response:
    body = {"name": name, "runner_group_id": 1, "labels": labels or ["mlreport"], **extra}
    return http.post(gh.api_url + f"{base}/generate-jitconfig", json=body)


def listed(gh: FakeGitHub, http: requests.Session, base: str = RUNNERS, **params: Any) -> Any:
    answer = http.get(gh.api_url + base, params=params)
    assert answer.status_code == 200
    return answer.json()


def decode(encoded: str) -> dict[str, Any]:
    files = json.loads(base64.b64decode(encoded))
    return {name: json.loads(base64.b64decode(content)) for name, content in files.items()}


# -- just-in-time runners --------------------------------------------------------------------------


def test_a_jit_runner_is_offline_until_its_machine_connects(
    gh: FakeGitHub, http: requests.Session
) -> None:
    answer = jit(gh, http, "mlreport-1", ["mlreport", "gpu"], work_folder="_w")
    assert answer.status_code == 201
    runner = answer.json()["runner"]
    assert runner["name"] == "mlreport-1"
    assert (runner["status"], runner["busy"], runner["ephemeral"]) == ("offline", False, True)
    assert (runner["os"], runner["runner_group_id"], runner["version"]) == ("Linux", 1, None)
    labels = [(label["name"], label["type"]) for label in runner["labels"]]
    assert labels == [*DEFAULT_LABELS, ("mlreport", "custom"), ("gpu", "custom")]
    assert all(isinstance(label["id"], int) for label in runner["labels"])

    files = decode(answer.json()["encoded_jit_config"])
    assert set(files) == {".runner", ".credentials", ".credentials_rsaparams"}
    assert files[".runner"]["AgentId"] == runner["id"]
    assert files[".runner"]["AgentName"] == "mlreport-1"
    assert files[".runner"]["WorkFolder"] == "_w"
    assert files[".runner"]["GitHubUrl"] == f"{gh.server_url}/{REPO}"
    assert files[".credentials"]["Scheme"] == "OAuth"

    assert listed(gh, http)["runners"] == [runner]
    online = gh.connect_runner(answer.json()["encoded_jit_config"])
    assert (online["id"], online["status"], online["version"]) == (
        runner["id"],
        "online",
        RUNNER_VERSION,
    )
    assert listed(gh, http)["runners"] == [online]
    assert gh.runners(REPO) == [online]


def test_a_jit_config_is_single_use(gh: FakeGitHub, http: requests.Session) -> None:
    config = jit(gh, http, "once").json()["encoded_jit_config"]
    gh.connect_runner(config)
    with pytest.raises(ValueError, match="already used"):
        gh.connect_runner(config)


def test_garbled_or_foreign_jit_configs_are_refused(gh: FakeGitHub, http: requests.Session) -> None:
    config = jit(gh, http, "real").json()["encoded_jit_config"]
    for garbled in ("not base64!", base64.b64encode(b"[1, 2]").decode(), config[:-8]):
        with pytest.raises(ValueError, match="garbled"):
            gh.connect_runner(garbled)
    files = json.loads(base64.b64decode(config))
    credentials = json.loads(base64.b64decode(files[".credentials"]))
    credentials["Data"]["clientId"] = "00000000-0000-0000-0000-000000000000"
    files[".credentials"] = base64.b64encode(json.dumps(credentials).encode()).decode()
    forged = base64.b64encode(json.dumps(files).encode()).decode()
    with pytest.raises(ValueError, match="not a JIT configuration this fake issued"):
        gh.connect_runner(forged)
    assert gh.runners(REPO)[0]["status"] == "offline"


def test_a_deleted_runner_cannot_connect(gh: FakeGitHub, http: requests.Session) -> None:
    created = jit(gh, http, "gone").json()
    deleted = http.delete(gh.api_url + f"{RUNNERS}/{created['runner']['id']}")
    assert deleted.status_code == 204
    with pytest.raises(ValueError, match="deleted"):
        gh.connect_runner(created["encoded_jit_config"])


def test_a_second_runner_with_the_same_name_is_409(gh: FakeGitHub, http: requests.Session) -> None:
    assert jit(gh, http, "twin").status_code == 201
    again = jit(gh, http, "twin")
    assert again.status_code == 409
    assert again.json()["message"] == "Already exists - A runner with the name twin already exists."
    assert again.json()["documentation_url"].startswith("https://docs.github.com/rest/")
    gh.add_runner(REPO, "left-behind", ["mlreport"], status="online")
    assert jit(gh, http, "left-behind").status_code == 409
    assert jit(gh, http, "TWIN").status_code == 201  # names compare exactly
    assert len(gh.runners(REPO)) == 3


def test_concurrent_jit_requests_for_one_name_create_one_runner(gh: FakeGitHub) -> None:
    statuses: list[int] = []

    def post() -> None:
        with requests.Session() as session:
            session.headers["Authorization"] = f"token {gh.token}"
            statuses.append(jit(gh, session, "racer").status_code)

    threads = [threading.Thread(target=post) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [201] + [409] * 7
    assert [r["name"] for r in gh.runners(REPO)] == ["racer"]


def test_unknown_runner_group_is_404(gh: FakeGitHub, http: requests.Session) -> None:
    answer = jit(gh, http, "grouped", runner_group_id=2)
    assert answer.status_code == 404
    assert answer.json()["message"] == "Not Found"
    assert gh.runners(REPO) == []


@pytest.mark.parametrize(
    ("name", "labels", "error"),
    [
        ("", ["x"], "name can't be blank"),
        ("n" * 65, ["x"], "name is too long (maximum is 64 characters)"),
        ("ok", [" "], "labels can't be blank"),
    ],
)
def test_invalid_names_and_labels_are_422(
    gh: FakeGitHub, http: requests.Session, name: str, labels: list[str], error: str
) -> None:
    answer = jit(gh, http, name, labels)
    assert answer.status_code == 422
    assert answer.json()["message"] == "Validation Failed"
    assert answer.json()["errors"] == [error]
    assert gh.runners(REPO) == []
    assert jit(gh, http, "n" * 64).status_code == 201


@pytest.mark.parametrize(
    ("body", "mentioned"),
    [
        ({"name": "x", "runner_group_id": 1, "labels": []}, "labels"),
        ({"name": "x", "runner_group_id": 1, "labels": ["a"] * 101}, "labels"),
        ({"name": "x", "labels": ["a"]}, "runner_group_id"),
        ({"name": "x", "runner_group_id": "1", "labels": ["a"]}, "runner_group_id"),
    ],
)
def test_requests_that_break_the_contract_are_422(
    gh: FakeGitHub, http: requests.Session, body: dict[str, Any], mentioned: str
) -> None:
    answer = http.post(gh.api_url + f"{RUNNERS}/generate-jitconfig", json=body)
    assert answer.status_code == 422
    assert answer.json()["message"].startswith("Invalid request.")
    (error,) = gh.validation_errors
    assert mentioned in error
    gh.validation_errors.clear()
    assert gh.runners(REPO) == []


def test_custom_labels_repeating_a_default_are_dropped(
    gh: FakeGitHub, http: requests.Session
) -> None:
    runner = jit(gh, http, "dup", ["linux", "gpu", "GPU"]).json()["runner"]
    names = [label["name"] for label in runner["labels"]]
    assert names == ["self-hosted", "Linux", "X64", "gpu"]
    other = jit(gh, http, "dup2", ["Gpu"]).json()["runner"]
    assert other["labels"][3]["id"] == runner["labels"][3]["id"]  # one id per label and scope


# -- listing and deleting --------------------------------------------------------------------------


def test_150_runners_in_pages_of_100(gh: FakeGitHub, http: requests.Session) -> None:
    made = [gh.add_runner(REPO, f"r{i:03}", ["mlreport"]) for i in range(150)]
    first = http.get(gh.api_url + RUNNERS, params={"per_page": 500})
    assert first.json()["total_count"] == 150
    assert len(first.json()["runners"]) == 100  # per_page is capped at 100
    assert first.links["next"]["url"].endswith("per_page=100&page=2")
    assert first.links["last"]["url"].endswith("page=2")
    second = http.get(first.links["next"]["url"])
    assert second.json()["total_count"] == 150
    assert "next" not in second.links
    ids = [r["id"] for r in first.json()["runners"] + second.json()["runners"]]
    assert ids == [r["id"] for r in made]
    assert "Link" not in http.get(gh.api_url + RUNNERS, params={"name": "r007"}).headers


def test_pygithub_follows_the_pages(gh: FakeGitHub, client: Github) -> None:
    gh.add_runner(REPO, "first", ["a"])
    for i in range(149):
        gh.add_runner(REPO, f"more-{i}", ["a"])
    runners = client.get_repo(REPO).get_self_hosted_runners()
    gh.requests.clear()
    assert runners.totalCount == 150
    assert len(list(runners)) == 150
    pages = [r.query.get("page", "1") for r in gh.requests]
    assert pages[-5:] == ["1", "2", "3", "4", "5"]  # 30 a page by default


def test_the_name_filter_matches_the_whole_name(gh: FakeGitHub, http: requests.Session) -> None:
    for name in ("build-1", "build-10", "Build-1"):
        gh.add_runner(REPO, name, ["x"])
    found = listed(gh, http, name="build-1")
    assert found["total_count"] == 1
    assert [r["name"] for r in found["runners"]] == ["build-1"]
    assert listed(gh, http, name="build") == {"total_count": 0, "runners": []}


def test_delete_is_204_then_404_and_422_while_busy(gh: FakeGitHub, http: requests.Session) -> None:
    idle = gh.add_runner(REPO, "idle", ["x"], status="online")
    busy = gh.add_runner(REPO, "worker", ["x"], status="online", busy=True)
    assert http.delete(gh.api_url + f"{RUNNERS}/{idle['id']}").status_code == 204
    again = http.delete(gh.api_url + f"{RUNNERS}/{idle['id']}")
    assert again.status_code == 404
    assert again.json()["message"] == "Not Found"
    refused = http.delete(gh.api_url + f"{RUNNERS}/{busy['id']}")
    assert refused.status_code == 422
    assert refused.json()["message"] == 'Bad request - Runner "worker" is still running a job"'
    assert [r["name"] for r in gh.runners(REPO)] == ["worker"]
    gh.set_runner_status(REPO, busy["id"], "online", busy=False)
    assert http.delete(gh.api_url + f"{RUNNERS}/{busy['id']}").status_code == 204
    assert gh.runners(REPO) == []


def test_pygithub_removes_a_runner(gh: FakeGitHub, client: Github) -> None:
    runner = gh.add_runner(REPO, "old", ["x"])
    repo = client.get_repo(REPO)
    assert [r.name for r in repo.get_self_hosted_runners()] == ["old"]
    assert repo.remove_self_hosted_runner(runner["id"]) is True
    assert gh.runners(REPO) == []
    busy = gh.add_runner(REPO, "busy", ["x"], status="online", busy=True)
    assert repo.remove_self_hosted_runner(busy["id"]) is False  # PyGithub: status == 204
    assert gh.requests[-1].method == "DELETE"
    assert [r["name"] for r in gh.runners(REPO)] == ["busy"]


# -- registration tokens and config.sh -------------------------------------------------------------


def test_registration_token_then_config_sh(gh: FakeGitHub, http: requests.Session) -> None:
    answer = http.post(gh.api_url + f"{RUNNERS}/registration-token")
    assert answer.status_code == 201
    token = answer.json()["token"]
    assert re.fullmatch(r"A[A-Z2-7]{28}", token)
    expires = datetime.fromisoformat(answer.json()["expires_at"].replace("Z", "+00:00"))
    in_an_hour = datetime.now(timezone.utc) + timedelta(hours=1)
    assert abs(expires - in_an_hour) < timedelta(seconds=5)

    runner = gh.register_runner(REPO, token, "ec2-1", ["mlreport"])
    assert (runner["status"], runner["ephemeral"], runner["version"]) == (
        "online",
        True,
        RUNNER_VERSION,
    )
    assert [label["name"] for label in runner["labels"]][3:] == ["mlreport"]
    assert listed(gh, http)["runners"] == [runner]
    again = gh.register_runner(REPO, token, "ec2-2", ["mlreport"], ephemeral=False)  # reusable
    assert again["ephemeral"] is False
    with pytest.raises(ValueError, match="same name"):
        gh.register_runner(REPO, token, "ec2-1", ["mlreport"])


def test_bad_foreign_or_expired_tokens_are_refused(gh: FakeGitHub, http: requests.Session) -> None:
    with pytest.raises(ValueError, match="not valid"):
        gh.register_runner(REPO, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "x", [])
    org_token = http.post(gh.api_url + f"{ORG_RUNNERS}/registration-token").json()["token"]
    with pytest.raises(ValueError, match="not valid"):
        gh.register_runner(REPO, org_token, "x", [])
    gh.registration_token_ttl = 0
    answer = http.post(gh.api_url + f"{RUNNERS}/registration-token")
    assert datetime.fromisoformat(answer.json()["expires_at"].replace("Z", "+00:00")) <= (
        datetime.now(timezone.utc)
    )
    with pytest.raises(ValueError, match="expired"):
        gh.register_runner(REPO, answer.json()["token"], "x", [])
    assert gh.runners(REPO) == []
    assert gh.register_runner(ORG, org_token, "x", [])["status"] == "online"


def test_finish_job_removes_ephemeral_runners_only(gh: FakeGitHub, http: requests.Session) -> None:
    created = jit(gh, http, "jit").json()
    runner_id = created["runner"]["id"]
    gh.connect_runner(created["encoded_jit_config"])
    gh.set_runner_status(REPO, runner_id, "online", busy=True)
    assert listed(gh, http)["runners"][0]["busy"] is True
    gh.finish_job(REPO, runner_id)
    assert listed(gh, http)["total_count"] == 0
    keeper = gh.add_runner(REPO, "keeper", ["x"], "online", True, ephemeral=False)
    gh.finish_job(REPO, keeper["id"])
    (left,) = gh.runners(REPO)
    assert (left["name"], left["status"], left["busy"]) == ("keeper", "online", False)
    with pytest.raises(KeyError):
        gh.finish_job(REPO, runner_id)


def test_test_control_checks_its_arguments(gh: FakeGitHub) -> None:
    with pytest.raises(KeyError, match="add_repo"):
        gh.runners("octo/nowhere")
    with pytest.raises(KeyError, match="add_org"):
        gh.add_runner("nowhere-org", "x", [])
    with pytest.raises(ValueError, match="status"):
        gh.add_runner(REPO, "x", [], status="idle")
    runner = gh.add_runner(REPO, "x", [])
    with pytest.raises(ValueError, match="already has"):
        gh.add_runner(REPO, "x", [])
    with pytest.raises(ValueError, match="status"):
        gh.set_runner_status(REPO, runner["id"], "busy")
    with pytest.raises(KeyError):
        gh.set_runner_status(REPO, runner["id"] + 1000, "online")
    assert gh.set_runner_status(REPO, runner["id"], "online")["version"] == RUNNER_VERSION
    with pytest.raises(ValueError, match="permission"):
        gh.add_org("x", permission="owner")
    with pytest.raises(ValueError, match="slash"):
        gh.add_org("x/y")


# -- permissions -----------------------------------------------------------------------------------


@pytest.mark.parametrize("repo", ["octo/writer", "octo/reader"])
def test_runner_routes_need_admin_on_the_repository(
    gh: FakeGitHub, http: requests.Session, repo: str
) -> None:
    base = gh.api_url + f"/repos/{repo}/actions/runners"
    body = {"name": "x", "runner_group_id": 1, "labels": ["x"]}
    answers = {
        "jit": http.post(f"{base}/generate-jitconfig", json=body),
        "token": http.post(f"{base}/registration-token"),
        "list": http.get(base),
        "delete": http.delete(f"{base}/1"),
    }
    for what, answer in answers.items():
        assert answer.status_code == 403, what
        assert answer.json()["message"] == "Must have admin rights to Repository."
        assert answer.json()["documentation_url"].startswith(
            "https://docs.github.com/rest/actions/self-hosted-runners#"
        )
    assert answers["list"].headers["x-accepted-github-permissions"] == "administration=read"
    assert answers["jit"].headers["x-accepted-github-permissions"] == "administration=write"
    assert gh.runners(repo) == []


def test_write_permission_still_comments(gh: FakeGitHub, http: requests.Session) -> None:
    gh.add_issue("octo/writer", 1)
    answer = http.post(gh.api_url + "/repos/octo/writer/issues/1/comments", json={"body": "hi"})
    assert answer.status_code == 201
    assert http.get(gh.api_url + "/repos/octo/writer/actions/runners").status_code == 403


def test_org_runner_routes_need_admin_on_the_organization(
    gh: FakeGitHub, http: requests.Session
) -> None:
    denied = http.get(gh.api_url + "/orgs/member-org/actions/runners")
    assert denied.status_code == 403
    assert denied.json()["message"] == "Must have admin rights to Repository."
    assert denied.headers["x-accepted-github-permissions"] == (
        "organization_self_hosted_runners=read"
    )
    token = http.post(gh.api_url + "/orgs/member-org/actions/runners/registration-token")
    assert token.status_code == 403
    assert token.headers["x-accepted-github-permissions"] == (
        "organization_self_hosted_runners=write"
    )


def test_unknown_repository_or_organization_is_404(gh: FakeGitHub, http: requests.Session) -> None:
    assert http.get(gh.api_url + "/repos/octo/nowhere/actions/runners").status_code == 404
    unknown = jit(gh, http, "x", base="/orgs/nowhere/actions/runners")
    assert unknown.status_code == 404
    assert unknown.json()["message"] == "Not Found"
    assert listed(gh, http, "/orgs/OCTO-ORG/actions/runners")["total_count"] == 0  # any case


# -- organizations ---------------------------------------------------------------------------------


def test_organization_runners_with_pygithub(gh: FakeGitHub, client: Github) -> None:
    org = client.get_organization(ORG)
    config = org.create_self_hosted_runner_jitconfig("ec2-a", 1, ["mlreport"])
    assert config.runner.status == "offline"
    assert [label["name"] for label in config.runner.labels] == [
        "self-hosted",
        "Linux",
        "X64",
        "mlreport",
    ]
    assert decode(config.encoded_jit_config)[".runner"]["GitHubUrl"] == f"{gh.server_url}/{ORG}"
    gh.connect_runner(config.encoded_jit_config)
    (runner,) = org.get_self_hosted_runners(name="ec2-a")
    assert (runner.id, runner.status) == (config.runner.id, "online")
    assert list(org.get_self_hosted_runners(name="ec2-b")) == []
    token = org.create_self_hosted_runner_registration_token()
    assert gh.register_runner(ORG, token.token, "ec2-b", ["mlreport"])["status"] == "online"
    org.delete_self_hosted_runner(config.runner.id)
    assert [r["name"] for r in gh.runners(ORG)] == ["ec2-b"]
    with pytest.raises(GithubException) as err:
        org.create_self_hosted_runner_jitconfig("ec2-b", 1, ["mlreport"])
    assert err.value.status == 409


def test_an_organizations_runners_are_apart_from_its_repositories(
    gh: FakeGitHub, http: requests.Session
) -> None:
    gh.add_repo(f"{ORG}/app", permission="admin")
    assert jit(gh, http, "same", base=ORG_RUNNERS).status_code == 201
    assert jit(gh, http, "same", base=f"/repos/{ORG}/app/actions/runners").status_code == 201
    assert jit(gh, http, "same").status_code == 201
    org_runner = gh.runners(ORG)[0]
    assert listed(gh, http, f"/repos/{ORG}/app/actions/runners")["total_count"] == 1
    gone = http.delete(gh.api_url + f"/repos/{ORG}/app/actions/runners/{org_runner['id']}")
    assert gone.status_code == 404
    assert [len(gh.runners(s)) for s in (ORG, f"{ORG}/app", REPO)] == [1, 1, 1]


def test_every_runner_operation_is_served(gh: FakeGitHub) -> None:
    routes = {(r.method, r.template) for r in gh._routes if r.api}
    runner_ops = {op for op in gh.contract.templates() if "/actions/runners" in op[1]}
    assert len(runner_ops) == 8
    assert runner_ops <= routes


def test_registration_tokens_differ(gh: FakeGitHub, http: requests.Session) -> None:
    url = gh.api_url + f"{RUNNERS}/registration-token"
    tokens = {http.post(url).json()["token"] for _ in range(5)}
    assert len(tokens) == 5
