"""``mlreport pr create`` on GitLab: files committed with the commits API (several files,
one request, never git), a merge request opened or updated, auto-merge.

Round trips: the branch, and each file's metadata at the commit to build on (HEAD requests
at once: its SHA-256 and mode, so unchanged files are not sent); then one commit, which makes
the branch from the base commit (``start_sha``) when it is not there. Auto-merge is asked
with both ``auto_merge`` (GitLab 17.11+) and the older ``merge_when_pipeline_succeeds``, so
that no version merges at once; GitLab answers 405 until a new merge request's pipeline
exists, so a 405 is asked again a few times, a few seconds apart.
"""

from __future__ import annotations

import base64
import hashlib
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager
from typing import Any

from mlreport.errors import PublishError
from mlreport.platforms.base import Committed, Proposal, StoredFile
from mlreport.platforms.gitlab_records import RepositoryFiles

LOOKUPS = 16
AUTO_MERGE_TRIES = 6  # 405 while the pipeline is being created: about 15 s in all
AUTO_MERGE_WAIT = 1.0  # seconds, doubled up to 4 s


class GitLabMerges:
    def __init__(
        self,
        gl: Any,
        project: Any,
        token: str,
        timeout: float,
        errors: Callable[[str], AbstractContextManager[None]],
    ) -> None:
        self._gl = gl
        self._project = project
        self._errors = errors
        self._files = RepositoryFiles(gl, project, token, timeout)
        self._requests: dict[int, Any] = {}
        self.wait = AUTO_MERGE_WAIT

    def default_branch(self) -> str:
        with self._errors("reading the project"):
            project = self._gl.projects.get(self._project.encoded_id)
            return str(project.default_branch or "main")

    def commit_files(
        self, branch: str, base: str, files: Sequence[StoredFile], message: str
    ) -> Committed:
        with self._errors(f"reading the {branch} branch"):
            head = self._head(branch)
            at = head or base
            with ThreadPoolExecutor(min(LOOKUPS, len(files) or 1)) as pool:
                stored = list(pool.map(lambda f: self._stored(f.path, at), files))
        writes = [
            (f, found)
            for f, found in zip(files, stored, strict=True)
            if found != (hashlib.sha256(f.data).hexdigest(), f.executable)
        ]
        if not writes:
            return Committed(head)
        actions: list[dict[str, Any]] = []
        for f, found in writes:
            if found is None or found[0] != hashlib.sha256(f.data).hexdigest():
                actions.append(
                    {
                        "action": "create" if found is None else "update",
                        "file_path": f.path,
                        "content": base64.b64encode(f.data).decode("ascii"),
                        "encoding": "base64",
                    }
                )
            if (found is None and f.executable) or (found is not None and found[1] != f.executable):
                # the mode: a chmod action of its own (create and update ignore it)
                actions.append(
                    {"action": "chmod", "file_path": f.path, "execute_filemode": f.executable}
                )
        data: dict[str, Any] = {"branch": branch, "commit_message": message, "actions": actions}
        if head is None:
            data["start_sha"] = base
        with self._errors(f"committing {len(writes)} file(s) to the {branch} branch"):
            made = self._project.commits.create(data)
        return Committed(str(made.id), tuple(f.path for f, _ in writes), head is None)

    def _head(self, branch: str) -> str | None:
        import gitlab

        try:
            return str(self._project.branches.get(branch).commit["id"])
        except gitlab.GitlabGetError as exc:
            if exc.response_code == 404:
                return None
            raise

    def _stored(self, path: str, ref: str) -> tuple[str, bool] | None:
        """(SHA-256, executable) of *path* at *ref*, None when it is not there."""
        found = self._files.head(path, ref)
        if found is None:
            return None
        executable = found.get("X-Gitlab-Execute-Filemode", "false") == "true"
        return str(found.get("X-Gitlab-Content-Sha256") or ""), executable

    def propose(
        self, branch: str, into: str, title: str, body: str, labels: Sequence[str], draft: bool
    ) -> Proposal:
        if draft and not title.lower().startswith(("draft:", "[draft]", "(draft)")):
            title = f"Draft: {title}"
        with self._errors(f"opening the merge request of {branch}"):
            found = self._project.mergerequests.list(
                source_branch=branch, target_branch=into, state="opened", get_all=True
            )
            if found:
                mr, created = found[0], False
                mr.title, mr.description = title, body
                if labels:
                    mr.labels = sorted({*mr.labels, *labels})
                mr.save()
            else:
                fields: dict[str, Any] = {
                    "source_branch": branch,
                    "target_branch": into,
                    "title": title,
                    "description": body,
                    "remove_source_branch": True,
                }
                if labels:
                    fields["labels"] = ",".join(labels)
                mr, created = self._project.mergerequests.create(fields), True
        self._requests[int(mr.iid)] = mr
        return Proposal(int(mr.iid), str(mr.web_url), created)

    def auto_merge(self, proposal: Proposal) -> str:
        import gitlab

        mr = self._requests[proposal.number]
        wait = self.wait
        for attempt in range(AUTO_MERGE_TRIES):
            try:
                mr.merge(merge_when_pipeline_succeeds=True, auto_merge=True)
                return "auto-merge set: it merges once the pipeline succeeds"
            except gitlab.GitlabMRClosedError as exc:  # 405 (and 406): not yet, or not at all
                if attempt == AUTO_MERGE_TRIES - 1:
                    raise PublishError(
                        f"auto-merge of merge request !{proposal.number} not set: GitLab "
                        f"answered {exc.response_code} (no pipeline, or not mergeable)",
                        "the project needs a CI pipeline for merge requests",
                    ) from None
            except gitlab.GitlabError:
                with self._errors(f"setting auto-merge on merge request !{proposal.number}"):
                    raise
            time.sleep(wait)
            wait = min(wait * 2, 4.0)
        raise AssertionError("unreachable")  # pragma: no cover
