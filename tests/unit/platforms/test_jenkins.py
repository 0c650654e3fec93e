"""Jenkins's variables, as its GitHub and GitLab branch sources set them, read into where to
publish."""

from __future__ import annotations

import pytest

from mlreport.platforms.base import Target
from mlreport.platforms.context import PublishOptions, resolve
from mlreport.platforms.jenkins import jenkins

SHA = "e" * 40
JENKINS = {"JENKINS_URL": "https://ci.example.com/", "BUILD_URL": "https://ci.example.com/job/x/1/"}


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        (
            {"CHANGE_ID": "42", "CHANGE_URL": "https://github.com/octo/demo/pull/42"},
            ("github", "github.com", "octo/demo", 42),
        ),
        (
            {"CHANGE_ID": "5", "CHANGE_URL": "https://github.acme.io:8443/team/model/pull/5"},
            ("github", "github.acme.io:8443", "team/model", 5),
        ),
        (
            {
                "CHANGE_ID": "9",
                "CHANGE_URL": "https://gitlab.com/group/sub/proj/-/merge_requests/9",
            },
            ("gitlab", "gitlab.com", "group/sub/proj", 9),
        ),
        (
            {"CHANGE_ID": "3", "CHANGE_URL": "http://code.acme.io/ml/churn/-/merge_requests/3"},
            ("gitlab", "code.acme.io", "ml/churn", 3),  # the path says GitLab
        ),
        ({"GIT_URL": "git@github.com:octo/demo.git"}, ("github", "github.com", "octo/demo", None)),
        (
            {"GIT_URL": "https://gitlab.acme.io/data/proj.git"},
            ("gitlab", "gitlab.acme.io", "data/proj", None),
        ),
        ({"GIT_URL": "https://code.acme.io/a/b.git"}, (None, "code.acme.io", "a/b", None)),
    ],
)
def test_platform_host_repository_and_change(
    env: dict[str, str], expected: tuple[object, ...]
) -> None:
    found = jenkins({**JENKINS, "GIT_COMMIT": SHA, **env})
    assert found is not None
    assert (found.platform, found.host, found.repo, found.change) == expected
    assert found.commit == SHA and found.build_url == JENKINS["BUILD_URL"]


def test_outside_jenkins_nothing() -> None:
    assert jenkins({"CHANGE_ID": "4", "GIT_COMMIT": SHA}) is None
    assert jenkins({"BUILD_URL": "https://ci.example.com/job/x/1/"}) is None  # another CI's


def test_a_github_enterprise_pull_request_resolves_to_its_api() -> None:
    env = {
        **JENKINS,
        "CHANGE_ID": "5",
        "CHANGE_URL": "https://github.acme.io/team/model/pull/5",
        "CHANGE_TARGET": "main",
        "GIT_COMMIT": SHA,
        "GITHUB_TOKEN": "ghp_" + "x" * 36,
    }
    context = resolve(PublishOptions(), env)
    assert (context.platform, context.repo, context.api_url) == (
        "github",
        "team/model",
        "https://github.acme.io/api/v3",
    )
    assert context.target == Target("pr", 5, SHA)
    assert not context.actions


def test_a_self_hosted_gitlab_merge_request() -> None:
    env = {
        **JENKINS,
        "CHANGE_ID": "3",
        "CHANGE_URL": "https://gitlab.acme.io/ml/churn/-/merge_requests/3",
        "GIT_COMMIT": SHA,
        "GITLAB_TOKEN": "glpat-" + "y" * 20,
    }
    context = resolve(PublishOptions(), env)
    assert (context.platform, context.repo, context.api_url) == (
        "gitlab",
        "ml/churn",
        "https://gitlab.acme.io",
    )
    assert context.target == Target("pr", 3, SHA)


def test_flags_win_over_jenkins() -> None:
    env = {**JENKINS, "CHANGE_ID": "5", "CHANGE_URL": "https://github.com/o/r/pull/5"}
    context = resolve(PublishOptions(pr=8, repo="x/y", token="t" * 10), env)
    assert (context.repo, context.target.number) == ("x/y", 8)


@pytest.mark.parametrize(
    ("env", "url"),
    [
        (
            {
                "GITHUB_ACTIONS": "true",
                "GITHUB_SERVER_URL": "https://github.com",
                "GITHUB_REPOSITORY": "o/r",
                "GITHUB_RUN_ID": "812",
                "GITHUB_RUN_ATTEMPT": "2",
            },
            "https://github.com/o/r/actions/runs/812/attempts/2",
        ),
        (
            {"GITLAB_CI": "true", "CI_JOB_URL": "https://gitlab.com/g/p/-/jobs/99"},
            "https://gitlab.com/g/p/-/jobs/99",
        ),
        (
            {**JENKINS, "BUILD_URL": "https://ci.example.com/job/x/7/"},
            "https://ci.example.com/job/x/7/",
        ),
        ({**JENKINS, "BUILD_URL": "https://user:pw@ci.example.com/job/x/7/"}, None),  # credentials
        ({**JENKINS, "BUILD_URL": "https://ci.example.com/x)](javascript:alert(1)"}, None),
        ({}, None),
    ],
)
def test_the_run_link(env: dict[str, str], url: str | None) -> None:
    from mlreport.platforms.runlink import run_url

    assert run_url(env) == url
