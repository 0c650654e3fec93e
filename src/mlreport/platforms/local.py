"""Publishing to files: the comment that would be posted, written next to the report.

``--platform local`` runs the whole publish logic (markers, modes, truncation) against a
folder, ``DIR/published/``: one ``comment-N.md`` per comment and ``check.json`` for --check.
Images keep their relative paths.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from mlreport.errors import UsageError
from mlreport.files import make_directory, write_atomic
from mlreport.platforms.base import (
    Comment,
    Committed,
    Hosted,
    Identity,
    ImageFile,
    Proposal,
    StoredFile,
    Target,
)

MAX_BODY = 1_000_000


RECORDS = Path(".mlreport")  # --platform local's records (in records/), without --records


class RecordsFolder:
    """Files (records) kept in a folder: ``--records DIR``, or --platform local's."""

    def __init__(self, root: Path | None = None) -> None:
        self.root = root or RECORDS

    def store(self, files: Sequence[StoredFile]) -> None:
        for file in files:
            target = self.root / file.path
            make_directory(target.parent, "--records")
            write_atomic(target, file.data, "--records")

    def find_file(self, paths: Sequence[str]) -> tuple[str, bytes] | None:
        for path in paths:
            try:
                return path, (self.root / path).read_bytes()
            except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
                continue
        return None

    def close(self) -> None:
        pass


class LocalPlatform:
    name = "local"
    max_body = MAX_BODY

    def __init__(self, directory: Path, records: Path | None = None) -> None:
        self.folder = directory / "published"
        self.records = RecordsFolder(records)

    def host_images(self, images: Sequence[ImageFile], files: Sequence[StoredFile] = ()) -> Hosted:
        """Images stay where they are; *files* (records) go under the records folder."""
        self.records.store(files)
        return Hosted({image.path: image.path for image in images})

    def find_file(self, paths: Sequence[str]) -> tuple[str, bytes] | None:
        return self.records.find_file(paths)

    def _files(self) -> list[Path]:
        return sorted(self.folder.glob("comment-*.md"), key=lambda p: int(p.stem.split("-")[1]))

    def identity(self) -> Identity:
        return Identity(None)  # the files have no author: every one is mlreport's

    def list_comments(self, target: Target) -> list[Comment]:
        return [self._comment(p) for p in self._files()]

    def _comment(self, path: Path) -> Comment:
        return Comment(path.stem.split("-")[1], path.read_text(encoding="utf-8"), str(path), None)

    def create_comment(self, target: Target, body: str) -> Comment:
        self.folder.mkdir(parents=True, exist_ok=True)
        files = self._files()
        number = int(files[-1].stem.split("-")[1]) + 1 if files else 1
        path = self.folder / f"comment-{number}.md"
        path.write_text(body, encoding="utf-8")
        return self._comment(path)

    def update_comment(self, target: Target, comment: Comment, body: str) -> Comment:
        Path(comment.url).write_text(body, encoding="utf-8")
        return Comment(comment.id, body, comment.url, None)

    def delete_comment(self, target: Target, comment: Comment) -> None:
        Path(comment.url).unlink(missing_ok=True)

    def close(self) -> None:
        pass

    def open_pull(self, sha: str) -> int | None:
        return None

    # pr create: a pull request needs a platform (the local "platform" writes files only)

    def default_branch(self) -> str:
        raise _no_pulls()

    def commit_files(
        self, branch: str, base: str, files: Sequence[StoredFile], message: str
    ) -> Committed:
        raise _no_pulls()

    def propose(
        self, branch: str, into: str, title: str, body: str, labels: Sequence[str], draft: bool
    ) -> Proposal:
        raise _no_pulls()

    def auto_merge(self, proposal: Proposal) -> str:
        raise _no_pulls()

    def head_sha(self, target: Target) -> str:
        return target.sha or ""

    def report_check(
        self, target: Target, name: str, passed: bool, title: str, summary: str
    ) -> str:
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.folder / "check.json"
        check = {
            "name": name,
            "conclusion": "success" if passed else "failure",
            "title": title,
            "summary": summary,
        }
        path.write_text(json.dumps(check, indent=2) + "\n", encoding="utf-8")
        return str(path)


def _no_pulls() -> UsageError:
    return UsageError(
        "pr create opens a pull request on GitHub or GitLab, not in local files",
        "pass --platform github or gitlab (with --repo and a token)",
    )
