"""The assets branch under concurrent publishers: every linked commit stays reachable."""

from __future__ import annotations

import hashlib
import threading

import pytest

from mlreport.errors import PublishError
from mlreport.platforms.base import ImageFile, StoredFile
from mlreport.platforms.context import PublishOptions
from mlreport.platforms.github import GitHubPlatform
from tests.fakes.fixtures import GITHUB_REPO, GITHUB_TOKEN
from tests.fakes.github import FakeGitHub
from tests.helpers import fetch


def image(name: str, seed: bytes) -> ImageFile:
    data = b"\x89PNG\r\n\x1a\n" + seed * 100
    return ImageFile(name, data, hashlib.sha256(data).hexdigest(), name)


def platform(github: FakeGitHub) -> GitHubPlatform:
    options = PublishOptions()
    return GitHubPlatform(
        GITHUB_REPO,
        GITHUB_TOKEN,
        github.api_url,
        github.server_url,
        options.assets_branch,
        options.timeout,
    )


def test_a_publisher_overtaken_merges_its_commit_in(github: FakeGitHub) -> None:
    first, second = platform(github), platform(github)
    try:
        slow = first.host_images([image("a.png", b"a")])  # commit made, branch not moved yet
        fast = second.host_images([image("b.png", b"b")])
        fast.finish()
        slow.finish()  # creating the branch fails (it exists now): merge, then move
        files = github.branch_files(GITHUB_REPO, "mlreport-assets")
        assert len(files) == 2  # both charts at the head of the branch
        for hosted in (slow, fast):
            for url in hosted.urls.values():
                assert fetch(url).startswith(b"\x89PNG")  # and each comment's pinned commit
    finally:
        first.close()
        second.close()


def test_the_branch_moving_forever_is_an_error(
    github: FakeGitHub, monkeypatch: pytest.MonkeyPatch
) -> None:
    import mlreport.platforms.github_assets as module

    monkeypatch.setattr(module, "MOVE_ATTEMPTS", 3)
    monkeypatch.setattr("mlreport.platforms.github_assets.random.uniform", lambda low, high: 0.0)
    setup = platform(github)
    try:
        setup.host_images([image("a.png", b"a")]).finish()  # the branch exists
        github.add_fault(
            method="PATCH",
            path=r"/git/refs/",
            status=422,
            times=10,
            body={"message": "Update is not a fast forward"},
        )
        hosted = setup.host_images([image("b.png", b"b")])
        with pytest.raises(PublishError, match="kept moving"):
            hosted.finish()
    finally:
        setup.close()


def test_images_found_on_the_branch_are_linked_to_a_commit_that_has_them(
    github: FakeGitHub,
) -> None:
    """The branch moves between reading its head and listing its tree: an image the newer
    tree has must not be linked to the older head, which lacks it."""
    first, second = platform(github), platform(github)
    try:
        first.host_images([image("a.png", b"a")]).finish()
        github.add_fault(method="GET", path=r"/git/trees/mlreport-assets$", delay=0.6, times=1)
        mover = threading.Timer(0.2, lambda: second.host_images([image("b.png", b"b")]).finish())
        mover.start()  # lands while first's listing is held back: the listing sees b
        hosted = first.host_images([image("a.png", b"a"), image("b.png", b"b")])
        mover.join()
        hosted.finish()
        for url in hosted.urls.values():
            assert fetch(url).startswith(b"\x89PNG")  # b was uploaded again, not assumed
    finally:
        first.close()
        second.close()


def test_a_rerun_stores_an_identical_record_for_nothing_and_another_in_one_request(
    github: FakeGitHub,
) -> None:
    """Images already there and the record of a re-run of the same commit: nothing more when
    it is the stored one (the same blob SHA), one contents request (with the SHA of the blob
    it replaces) when it differs."""
    path = f"records/default/{'a' * 40}/record.npz"
    one = platform(github)
    try:
        one.host_images([image("a.png", b"a")], [StoredFile(path, b"first")]).finish()
        before = len(github.requests)
        hosted = one.host_images([image("a.png", b"a")], [StoredFile(path, b"first")])
        middle = len(github.requests)
        hosted.finish()
        assert all(r.method == "GET" for r in github.requests[before:])  # the branch, read
        assert len(github.requests) == middle  # and nothing beside the comment
        hosted = one.host_images([image("a.png", b"a")], [StoredFile(path, b"second")])
        middle = len(github.requests)
        hosted.finish()
        (put,) = github.requests[middle:]
        assert put.method == "PUT" and "/contents/" in put.path and put.json["sha"]
        assert github.branch_files(GITHUB_REPO, "mlreport-assets")[path] == b"second"
        before = len(github.requests)
        one.host_images([], [StoredFile(path, b"second")]).finish()  # no image at all
        assert [r.method for r in github.requests[before:]] == ["GET"]  # the tree
    finally:
        one.close()
