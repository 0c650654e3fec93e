"""Pytest fixtures for the fake platforms (a plugin: tests/conftest.py loads it).

``github``: a FakeGitHub with repository octo/demo and pull request #12 (head HEAD_SHA).
``gitlab``: a FakeGitLab with project group/sub/proj (id 42) and merge request !7 (head MR_SHA).

``aws``: an AwsFake (tests/fakes/aws.py): moto in server mode behind a fault-injecting proxy, one
pair per session, reset for each test; the environment (AWS_ENDPOINT_URL, AWS_REGION, keys) points
at the proxy and nothing of the developer's AWS configuration is read.

``github`` and ``gitlab`` check, at teardown, that no request broke the platform's OpenAPI contract
and that the fake sent no response that breaks it. A test that sends invalid requests on purpose
empties ``validation_errors`` itself after checking it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

from tests.fakes.github import FakeGitHub
from tests.fakes.gitlab import FakeGitLab

if TYPE_CHECKING:  # imported by the fixtures: boto3 and moto load only for tests that use them
    from tests.fakes.aws import AwsBackend, AwsFake

GITHUB_TOKEN = "ghs_fake_token_1234567890"
GITLAB_TOKEN = "glpat-fake-token-1234567890"
GITHUB_REPO = "octo/demo"
PULL_NUMBER = 12
HEAD_SHA = "3f786850e387550fdab836ed7e6dc881de23001b"
GITLAB_PROJECT = "group/sub/proj"
GITLAB_PROJECT_ID = 42
MR_IID = 7
MR_SHA = "89e6c98d92887913cadf06b2adb97f26cde4849b"


@pytest.fixture
def github() -> Iterator[FakeGitHub]:
    with FakeGitHub(token=GITHUB_TOKEN) as gh:
        gh.add_repo(GITHUB_REPO, permission="write")
        gh.add_pull(GITHUB_REPO, PULL_NUMBER, head_sha=HEAD_SHA)
        yield gh
        assert gh.validation_errors == []


@pytest.fixture
def gitlab() -> Iterator[FakeGitLab]:
    with FakeGitLab(token=GITLAB_TOKEN) as gl:
        gl.add_project(GITLAB_PROJECT, id=GITLAB_PROJECT_ID, permission="write")
        gl.add_merge_request(GITLAB_PROJECT, iid=MR_IID, sha=MR_SHA)
        yield gl
        assert gl.validation_errors == []


@pytest.fixture(scope="session")
def aws_backend() -> Iterator[AwsBackend]:
    """The moto server and its proxy, started by the first test that uses ``aws``."""
    from tests.fakes.aws import AwsBackend

    with AwsBackend() as backend:
        yield backend


@pytest.fixture
def aws(aws_backend: AwsBackend, monkeypatch: pytest.MonkeyPatch) -> AwsFake:
    return aws_backend.fresh(monkeypatch)
