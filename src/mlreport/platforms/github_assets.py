"""The assets branch of GitHub (``mlreport-assets``): the report's images and the records
of main's reports, committed with the Git Data API to a branch of their own (made on first
use, never the PR branch).

Images are named by their SHA-256, so one already there is not uploaded again, and linked
as ``https://HOST/OWNER/REPO/blob/COMMIT/images/SHA256.png?raw=true``: pinned to that commit,
shown to everyone who can read the repository, private ones included.

Round trips are kept few: the branch head and its tree are read at once; blobs (images and
records) are uploaded concurrently, into one commit; moving the branch is handed back as
``finish`` so it goes out together with the comment. A record alone (no new image) is one
contents-API request, made in ``finish`` too (with the stored file's blob SHA, read from the
tree, when it replaces one); a record identical to the stored one (the same Git blob SHA) is
not sent at all. If another publisher moved the branch meanwhile, a merge commit with both
heads as parents keeps every linked commit reachable.
"""

from __future__ import annotations

import base64
import hashlib
import random
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager
from typing import Any, TypeVar
from urllib.parse import quote

from mlreport.errors import PublishError
from mlreport.platforms.base import Hosted, ImageFile, StoredFile

IMAGE_DIR = "images"
MOVE_ATTEMPTS = 10  # each lost race is another publisher's win: a busy PR still settles
T = TypeVar("T")


class AssetsBranch:
    def __init__(
        self,
        repo: Any,
        branch: str,
        server_url: str,
        repo_name: str,
        errors: Callable[[str], AbstractContextManager[None]],
    ) -> None:
        self._repo = repo
        self.branch = branch
        self.server_url = server_url
        self.repo_name = repo_name
        self._errors = errors

    def store(self, images: Sequence[ImageFile], files: Sequence[StoredFile] = ()) -> Hosted:
        """Images, and *files* (records), in one commit on the assets branch; files alone
        (no image to upload) in one request each, beside the comment."""
        if not images and not files:
            return Hosted({})
        with self._errors(f"reading the {self.branch} branch"):
            head, tree = self._branch_state() if images else (None, self._branch_tree())
        files = [f for f in files if tree.get(f.path) != blob_sha(f.data)]  # identical: kept
        if not images:
            return Hosted({}, lambda: self._put_files(files, tree))
        paths = {image.path: f"{IMAGE_DIR}/{image.sha256}{_suffix(image.path)}" for image in images}
        missing = {paths[img.path]: img for img in images if paths[img.path] not in tree}
        if not missing:
            return Hosted(self._urls(paths, head or ""), lambda: self._put_files(files, tree))
        contents = [img.data for img in missing.values()] + [f.data for f in files]
        with self._errors(f"uploading images to the {self.branch} branch"):
            blobs = self._map(self._blob, contents)
            named = [*missing, *(f.path for f in files)]
            elements = self._elements(dict(zip(named, blobs, strict=True)))
            commit = self._commit(elements, tree.get("", None), [head] if head else [])
        return Hosted(self._urls(paths, commit), lambda: self._move(commit, elements, head))

    def find(self, paths: Sequence[str]) -> tuple[str, bytes] | None:
        """The assets branch's tree (one request), then the first of *paths* in it."""
        with self._errors(f"reading the {self.branch} branch"):
            tree = self._branch_tree()
            for path in paths:
                if path in tree:
                    _, blob = self._repo.requester.requestJsonAndCheck(
                        "GET", f"{self._repo.url}/git/blobs/{tree[path]}"
                    )
                    return path, base64.b64decode(blob["content"])
        return None

    def _put_files(self, files: Sequence[StoredFile], tree: dict[str, str]) -> None:
        """Each file in one request (the contents API makes the commit and moves the branch),
        with the SHA of the blob it replaces (from *tree*, the branch's files). With no branch
        yet, or when the file changed meanwhile, through the Git Data API instead."""
        from github import GithubException

        for file in files:
            if not tree:  # no branch: the contents API cannot make one
                with self._errors(f"storing {file.path} on the {self.branch} branch"):
                    self._commit_files([file])
                continue
            body = {
                "message": f"mlreport: {file.path}",
                "content": base64.b64encode(file.data).decode("ascii"),
                "branch": self.branch,
            }
            if file.path in tree:
                body["sha"] = tree[file.path]
            url = f"{self._repo.url}/contents/{quote(file.path)}"
            with self._errors(f"storing {file.path} on the {self.branch} branch"):
                for attempt in range(MOVE_ATTEMPTS):
                    try:
                        self._repo.requester.requestJsonAndCheck("PUT", url, input=body)
                        break
                    except GithubException as exc:
                        made = exc.status == 422 and '"sha"' in str(exc.data)  # meanwhile
                        changed = exc.status == 409 and "sha" in body and attempt > 0
                        if exc.status == 404 or made or changed:
                            self._commit_files([file])
                            break
                        if exc.status != 409 or attempt == MOVE_ATTEMPTS - 1:
                            raise
                        time.sleep(random.uniform(0.05, 0.25) * (attempt + 1))  # it moved

    def _commit_files(self, files: Sequence[StoredFile]) -> None:
        head, tree = self._branch_state()
        blobs = self._map(self._blob, [f.data for f in files])
        elements = self._elements(dict(zip([f.path for f in files], blobs, strict=True)))
        commit = self._commit(elements, tree.get("", None), [head] if head else [])
        self._move(commit, elements, head)

    def _urls(self, paths: dict[str, str], commit: str) -> dict[str, str]:
        base = f"{self.server_url}/{self.repo_name}/blob/{commit}"
        return {local: f"{base}/{remote}?raw=true" for local, remote in paths.items()}

    def _branch_state(self) -> tuple[str | None, dict[str, str]]:
        """The branch's head commit and that commit's files, consistent with each other.

        The branch (head commit and its tree SHA, in one answer) and the branch's tree
        listing are read at once; if the branch moved between the two reads (the listing is
        of another tree), the head's own tree is listed. So "already uploaded" always means
        "in the commit the links will be pinned to".
        """
        branch, tree = self._both(self._branch, self._branch_tree)
        if branch is None:
            return None, {}
        head, tree_sha = branch
        if tree.get("") != tree_sha:
            tree = self._branch_tree(tree_sha)
        return head, tree

    def _branch(self) -> tuple[str, str] | None:
        from github import UnknownObjectException

        try:
            found = self._repo.get_branch(self.branch)
        except UnknownObjectException:
            return None
        return str(found.commit.sha), str(found.commit.commit.tree.sha)

    def _branch_head(self) -> str | None:
        return branch_head(self._repo, self.branch)

    def _branch_tree(self, sha: str | None = None) -> dict[str, str]:
        """path -> blob sha in *tree* (default: at the branch head), "" -> the tree's own sha;
        {} if there is no branch."""
        from github import UnknownObjectException

        try:
            tree = self._repo.get_git_tree(sha or self.branch, recursive=True)
        except UnknownObjectException:
            return {}
        entries = {e.path: e.sha for e in tree.tree if e.type == "blob"}
        entries[""] = tree.sha
        return entries

    def _blob(self, data: bytes) -> str:
        return create_blob(self._repo, data)

    @staticmethod
    def _elements(blobs: dict[str, str]) -> list[dict[str, str]]:
        return [
            {"path": p, "mode": "100644", "type": "blob", "sha": sha} for p, sha in blobs.items()
        ]

    def _commit(self, elements: list[dict[str, str]], base: str | None, parents: list[str]) -> str:
        """A tree of *elements* over *base*, committed on *parents*: two requests, made with
        PyGithub's requester (its objects would first be fetched just to learn their SHAs)."""
        post = self._repo.requester.requestJsonAndCheck
        tree: dict[str, Any] = {"tree": elements}
        if base:
            tree["base_tree"] = base
        _, made = post("POST", f"{self._repo.url}/git/trees", input=tree)
        message = f"mlreport: {len(elements)} report image(s)"
        commit = {"message": message, "tree": made["sha"], "parents": parents}
        _, done = post("POST", f"{self._repo.url}/git/commits", input=commit)
        return str(done["sha"])

    def _move(self, commit: str, elements: list[dict[str, str]], head: str | None) -> None:
        """Point the branch at *commit*; if it moved meanwhile, at a merge of both."""
        from github import GithubException

        with self._errors(f"updating the {self.branch} branch"):
            for attempt in range(MOVE_ATTEMPTS):
                try:
                    set_branch(self._repo, self.branch, commit, create=head is None)
                    return
                except GithubException as exc:
                    if exc.status != 422:
                        raise
                time.sleep(random.uniform(0.05, 0.25) * (attempt + 1))  # let the winner finish
                now = self._branch_head()  # someone else published: merge our commit in
                tree = self._branch_tree().get("", None) if now else None
                parents = [p for p in (now, commit) if p]
                head, commit = now, self._commit(elements, tree, parents)
        raise PublishError(
            f"the {self.branch} branch kept moving while mlreport updated it",
            "another publisher is busy; run again",
        )

    @staticmethod
    def _both(first: Callable[[], Any], second: Callable[[], Any]) -> tuple[Any, Any]:
        with ThreadPoolExecutor(2) as pool:
            a, b = pool.submit(first), pool.submit(second)
            return a.result(), b.result()

    @staticmethod
    def _map(function: Callable[[bytes], T], items: list[bytes]) -> list[T]:
        if len(items) == 1:
            return [function(items[0])]
        with ThreadPoolExecutor(min(8, len(items))) as pool:
            return list(pool.map(function, items))


def branch_head(repo: Any, branch: str) -> str | None:
    """The commit *branch* points to, None when there is no such branch."""
    from github import UnknownObjectException

    try:
        return str(repo.get_git_ref(f"heads/{branch}").object.sha)
    except UnknownObjectException:
        return None


def create_blob(repo: Any, data: bytes) -> str:
    content = base64.b64encode(data).decode("ascii")
    return str(repo.create_git_blob(content, "base64").sha)


def set_branch(repo: Any, branch: str, commit: str, *, create: bool) -> None:
    """Make *branch* at *commit*, or move it there, fast-forward only (GitHub answers 422
    when it moved meanwhile)."""
    if create:
        repo.create_git_ref(f"refs/heads/{branch}", commit)
    else:  # not GitRef.edit: a lazy GitRef would PATCH the GET-only /git/ref/
        repo.requester.requestJsonAndCheck(
            "PATCH",
            f"{repo.url}/git/refs/heads/{quote(branch)}",
            input={"sha": commit, "force": False},
        )


def blob_sha(data: bytes) -> str:
    """The SHA Git gives a blob of *data* (``git hash-object``), as trees list it."""
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def _suffix(path: str) -> str:
    """The stored file's extension: the image's own (raw files are served by it: an SVG
    stored as .png would not render), .png for anything else."""
    suffix = path.rsplit(".", 1)[-1].lower() if "." in path.rsplit("/", 1)[-1] else ""
    return f".{suffix}" if suffix in ("png", "jpg", "jpeg", "gif", "svg") else ".png"
