"""``mlreport pr create`` on GitHub: files committed with the Git Data API (never git), a
pull request opened or updated, labels, auto-merge (GraphQL: the REST API has none).

Round trips: the branch and the base commit at once, then the tree of the commit to build on
(one recursive listing, so unchanged files are not sent); the blobs at once; the tree, the
commit and the ref in turn. A ref that moved meanwhile (another job) is an error that says to
run again: a pull request branch is never force-pushed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager
from typing import Any

from mlreport.errors import PublishError
from mlreport.platforms.base import Committed, NothingToPropose, Proposal, StoredFile
from mlreport.platforms.github_assets import blob_sha, branch_head, create_blob, set_branch

AUTO_MERGE = """
mutation($id: ID!, $method: PullRequestMergeMethod!) {
  enablePullRequestAutoMerge(input: {pullRequestId: $id, mergeMethod: $method}) {
    pullRequest { number url }
  }
}
"""


def mode(file: StoredFile) -> str:
    return "100755" if file.executable else "100644"


class GitHubPulls:
    def __init__(self, repo: Any, errors: Callable[[str], AbstractContextManager[None]]) -> None:
        self._repo = repo
        self._errors = errors
        self._node_ids: dict[int, str] = {}

    def default_branch(self) -> str:
        with self._errors("reading the repository"):
            return str(self._repo.default_branch)

    def commit_files(
        self, branch: str, base: str, files: Sequence[StoredFile], message: str
    ) -> Committed:
        with self._errors(f"reading the {branch} branch and commit {base[:12]}"):
            with ThreadPoolExecutor(2) as pool:
                found = pool.submit(self._head, branch)
                base_tree = pool.submit(self._tree_of, base)
                head = found.result()
                parent, parent_tree = (base, base_tree.result()) if head is None else (head, "")
            if head is not None:
                parent_tree = self._tree_of(head)
            listed = self._listing(parent_tree)
        writes = [f for f in files if listed.get(f.path) != (mode(f), blob_sha(f.data))]
        if not writes:
            return Committed(head)
        with self._errors(f"committing {len(writes)} file(s) to the {branch} branch"):
            post = self._repo.requester.requestJsonAndCheck
            with ThreadPoolExecutor(min(8, len(writes))) as pool:
                blobs = list(pool.map(self._blob, writes))
            elements = [
                {"path": f.path, "mode": mode(f), "type": "blob", "sha": sha}
                for f, sha in zip(writes, blobs, strict=True)
            ]
            _, tree = post(
                "POST",
                f"{self._repo.url}/git/trees",
                input={"base_tree": parent_tree, "tree": elements},
            )
            if tree["sha"] == parent_tree:  # the listing was cut short (a huge tree): no change
                return Committed(head)
            commit = {"message": message, "tree": tree["sha"], "parents": [parent]}
            _, made = post("POST", f"{self._repo.url}/git/commits", input=commit)
            self._move(branch, str(made["sha"]), head is None)
        return Committed(str(made["sha"]), tuple(f.path for f in writes), head is None)

    def _head(self, branch: str) -> str | None:
        return branch_head(self._repo, branch)

    def _tree_of(self, commit: str) -> str:
        from github import UnknownObjectException

        try:
            return str(self._repo.get_git_commit(commit).tree.sha)
        except UnknownObjectException:
            raise PublishError(
                f"commit {commit[:12]} is not on GitHub",
                "push it first, or pass --base-sha with a pushed commit",
            ) from None

    def _listing(self, tree: str) -> dict[str, tuple[str, str]]:
        """path -> (mode, blob SHA) in *tree*; {} when GitHub cut the listing short (the tree
        sent is then compared with it instead)."""
        listed = self._repo.get_git_tree(tree, recursive=True)
        if listed.raw_data.get("truncated"):
            return {}
        return {e.path: (e.mode, e.sha) for e in listed.tree if e.type == "blob"}

    def _blob(self, file: StoredFile) -> str:
        return create_blob(self._repo, file.data)

    def _move(self, branch: str, commit: str, create: bool) -> None:
        from github import GithubException

        try:
            set_branch(self._repo, branch, commit, create=create)
        except GithubException as exc:
            if exc.status != 422:
                raise
            raise PublishError(
                f"the {branch} branch changed while mlreport committed to it",
                "another job pushed to it; run again",
            ) from None

    def propose(
        self, branch: str, into: str, title: str, body: str, labels: Sequence[str], draft: bool
    ) -> Proposal:
        from github import GithubException

        owner = self._repo.full_name.split("/")[0]
        with self._errors(f"opening the pull request of {branch}"):
            found = list(self._repo.get_pulls(state="open", head=f"{owner}:{branch}", base=into))
            if found:
                pull, created = found[0], False
                pull.edit(title=title, body=body)
            else:
                try:
                    pull = self._repo.create_pull(
                        base=into, head=branch, title=title, body=body, draft=draft
                    )
                except GithubException as exc:
                    text = (
                        str((exc.data or {}).get("message", ""))
                        if isinstance(exc.data, dict)
                        else ""
                    )
                    if exc.status == 422 and text.startswith("No commits between"):
                        raise NothingToPropose(text) from None
                    raise
                created = True
            if labels:  # {"labels": [...]}: the one form every version of the API takes
                self._repo.requester.requestJsonAndCheck(
                    "POST",
                    f"{self._repo.url}/issues/{pull.number}/labels",
                    input={"labels": list(labels)},
                )
        self._node_ids[int(pull.number)] = str(pull.node_id)
        return Proposal(int(pull.number), str(pull.html_url), created)

    def auto_merge(self, proposal: Proposal, method: str = "MERGE") -> str:
        from github import GithubException

        variables = {"id": self._node_ids[proposal.number], "method": method}
        try:
            self._repo.requester.graphql_query(AUTO_MERGE, variables)
        except GithubException as exc:
            errors = (exc.data or {}).get("errors") if isinstance(exc.data, dict) else None
            said = errors[0].get("message") if errors else f"HTTP {exc.status}"
            raise PublishError(
                f"auto-merge of pull request #{proposal.number} not enabled: {said}",
                "allow auto-merge in the repository's settings (and protect the branch)",
            ) from None
        return "auto-merge enabled: it merges once the required checks pass"
