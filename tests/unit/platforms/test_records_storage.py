"""Records kept on the platforms: in the images' commit or alone, re-runs of the same commit,
two publishers at once, and finding the nearest one -- against the contract-checked fakes."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable
from typing import NamedTuple

import pytest

from mlreport.platforms.base import ImageFile, Platform, StoredFile
from mlreport.platforms.github import GitHubPlatform
from mlreport.platforms.gitlab import GitLabPlatform
from tests.fakes.fixtures import GITHUB_REPO, GITHUB_TOKEN, GITLAB_PROJECT, GITLAB_TOKEN
from tests.fakes.github import FakeGitHub
from tests.fakes.gitlab import FakeGitLab

SHAS = [hashlib.sha1(str(i).encode()).hexdigest() for i in range(6)]


def record(sha: str, payload: bytes = b"record") -> StoredFile:
    return StoredFile(f"records/default/{sha}/record.npz", payload + sha.encode())


def image(seed: bytes) -> ImageFile:
    data = b"\x89PNG\r\n\x1a\n" + seed * 50
    return ImageFile(f"{seed.decode()}.png", data, hashlib.sha256(data).hexdigest(), "chart")


def on_github(github: FakeGitHub) -> Callable[[], Platform]:
    return lambda: GitHubPlatform(
        GITHUB_REPO, GITHUB_TOKEN, github.api_url, github.server_url, "mlreport-assets", 10
    )


def on_gitlab(gitlab: FakeGitLab) -> Callable[[], Platform]:
    return lambda: GitLabPlatform(GITLAB_PROJECT, GITLAB_TOKEN, gitlab.url, 10, "mlreport-records")


class Store(NamedTuple):
    make: Callable[[], Platform]  # a new connection to the platform
    files: Callable[[], dict[str, bytes]]  # the records branch's files now


@pytest.fixture(params=["github", "gitlab"])
def store(request: pytest.FixtureRequest, github: FakeGitHub, gitlab: FakeGitLab) -> Store:
    if request.param == "github":
        return Store(on_github(github), lambda: github.branch_files(GITHUB_REPO, "mlreport-assets"))
    return Store(on_gitlab(gitlab), lambda: gitlab.branch_files(GITLAB_PROJECT, "mlreport-records"))


def publish(make: Callable[[], Platform], images: list[ImageFile], files: list[StoredFile]) -> None:
    platform = make()
    try:
        platform.host_images(images, files).finish()
    finally:
        platform.close()


def test_a_record_with_images_and_alone(store: Store) -> None:
    make, files = store
    publish(make, [image(b"a")], [record(SHAS[0])])
    publish(make, [], [record(SHAS[1])])  # no image: the record alone
    publish(make, [image(b"a")], [record(SHAS[2])])  # the image is there already
    kept = files()
    for sha in SHAS[:3]:
        assert kept[f"records/default/{sha}/record.npz"] == b"record" + sha.encode()


def test_a_rerun_of_the_same_commit_replaces_its_record(store: Store) -> None:
    make, files = store
    publish(make, [], [record(SHAS[0], b"first")])
    publish(make, [], [record(SHAS[0], b"second")])  # a re-run of main's pipeline
    publish(make, [image(b"b")], [record(SHAS[0], b"third")])
    assert files()[f"records/default/{SHAS[0]}/record.npz"] == b"third" + SHAS[0].encode()


def test_two_publishers_at_once_both_land(store: Store) -> None:
    make, files = store
    publish(make, [image(b"x")], [record(SHAS[5])])  # the branch exists
    errors: list[BaseException] = []

    def one(i: int) -> None:
        try:
            publish(make, [image(bytes([97 + i]))] if i % 2 else [], [record(SHAS[i])])
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=one, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    kept = files()
    for sha in [*SHAS[:4], SHAS[5]]:
        assert f"records/default/{sha}/record.npz" in kept


def test_finding_the_nearest_record(store: Store) -> None:
    make = store.make
    publish(make, [], [record(SHAS[3]), record(SHAS[1])])
    platform = make()
    try:
        paths = [f"records/default/{sha}/record.npz" for sha in SHAS]  # nearest first
        found = platform.find_file(paths)
        assert found == (paths[1], b"record" + SHAS[1].encode())
        assert platform.find_file(paths[4:]) is None
    finally:
        platform.close()


def test_finding_costs_two_sequential_requests_on_github(github: FakeGitHub) -> None:
    publish(on_github(github), [], [record(SHAS[2])])
    before = len(github.requests)
    platform = on_github(github)()
    try:
        paths = [f"records/default/{sha}/record.npz" for sha in SHAS]
        assert platform.find_file(paths) is not None
    finally:
        platform.close()
    asked = [f"{r.method} {r.path.split('?')[0]}" for r in github.requests[before:]]
    assert len(asked) == 2, asked  # the tree (recursive), then the blob
    assert asked[0].startswith("GET") and "/git/trees/" in asked[0]
    assert "/git/blobs/" in asked[1]
