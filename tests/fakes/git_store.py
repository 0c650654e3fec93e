"""Git objects as Git itself stores them, for the fakes' repositories (FakeGitHub, FakeGitLab).

A :class:`GitStore` holds blobs, trees, commits and refs, keyed by the SHA-1s Git computes for the
same objects (``git hash-object``, ``git mktree``, ``git commit-tree`` give the same SHAs), so that
a commit made through one API and looked at through another agrees. A file is
``path -> (mode, type, sha)`` (:data:`FileInfo`); :meth:`GitStore.flatten` turns a tree into those
and :meth:`GitStore.build_tree` turns them back into nested trees.

    store = GitStore()
    blob = store.store_blob(b"# demo\\n")
    tree = store.build_tree({"README.md": ("100644", "blob", blob)})
    who = {"name": "n", "email": "e@example.com", "date": "2024-01-01T00:00:00Z"}
    store.refs["refs/heads/main"] = store.store_commit(tree, [], who, who, "Initial commit")
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

__all__ = ["Commit", "Entry", "FileInfo", "GitStore", "git_blob_sha", "git_hash", "parse_date"]

FileInfo = tuple[str, str, str]
"""(mode, type, sha) of a file: mode as Git writes it (100644, 100755, 120000, 160000), type
"blob" (or "commit" for a submodule)."""

FILE_MODE = "100644"
EXECUTABLE_MODE = "100755"
TREE_MODE = "40000"


def git_hash(kind: str, data: bytes) -> str:
    """The SHA-1 Git gives an object of *kind* ("blob", "tree", "commit") holding *data*."""
    return hashlib.sha1(f"{kind} {len(data)}\0".encode() + data).hexdigest()


def git_blob_sha(content: bytes) -> str:
    return git_hash("blob", content)


def parse_date(value: str) -> datetime:
    """An ISO 8601 date ("...Z" included); naive dates are UTC."""
    parsed = datetime.fromisoformat(value[:-1] + "+00:00" if value.endswith("Z") else value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


@dataclass(frozen=True)
class Entry:
    """One entry of a tree."""

    name: str
    mode: str  # as Git writes it: 100644, 100755, 120000, 160000, 40000
    type: str  # blob, tree, commit
    sha: str


def _tree_data(entries: list[Entry]) -> bytes:
    def key(e: Entry) -> str:  # Git sorts a tree's entries as if directories ended with "/"
        return e.name + ("/" if e.type == "tree" else "")

    return b"".join(
        f"{e.mode} {e.name}".encode() + b"\0" + bytes.fromhex(e.sha)
        for e in sorted(entries, key=key)
    )


@dataclass
class Commit:
    sha: str
    tree: str
    parents: list[str]
    author: dict[str, Any]
    """name, email and date (ISO 8601, with its offset)."""
    committer: dict[str, Any]
    message: str


@dataclass
class GitStore:
    """A repository's objects and refs ("refs/heads/main" -> commit SHA)."""

    blobs: dict[str, bytes] = field(default_factory=dict)
    trees: dict[str, list[Entry]] = field(default_factory=dict)
    commits: dict[str, Commit] = field(default_factory=dict)
    refs: dict[str, str] = field(default_factory=dict)

    # -- objects

    def store_blob(self, content: bytes) -> str:
        sha = git_blob_sha(content)
        self.blobs[sha] = content
        return sha

    def store_tree(self, entries: list[Entry]) -> str:
        sha = git_hash("tree", _tree_data(entries))
        self.trees[sha] = sorted(entries, key=lambda e: e.name)
        return sha

    def store_commit(
        self,
        tree: str,
        parents: list[str],
        author: dict[str, Any],
        committer: dict[str, Any],
        message: str,
    ) -> str:
        def sig(who: dict[str, Any]) -> str:
            when = parse_date(who["date"])
            offset = when.utcoffset() or timedelta(0)
            minutes = int(offset.total_seconds() // 60)
            sign = "-" if minutes < 0 else "+"
            tz = f"{sign}{abs(minutes) // 60:02d}{abs(minutes) % 60:02d}"
            return f"{who['name']} <{who['email']}> {int(when.timestamp())} {tz}"

        lines = [f"tree {tree}"] + [f"parent {p}" for p in parents]
        lines += [f"author {sig(author)}", f"committer {sig(committer)}"]
        data = ("\n".join(lines) + "\n\n" + message).encode()
        sha = git_hash("commit", data)
        self.commits[sha] = Commit(sha, tree, list(parents), dict(author), dict(committer), message)
        return sha

    # -- trees as files

    def flatten(self, tree_sha: str, prefix: str = "") -> dict[str, FileInfo]:
        """path -> (mode, type, sha) of every non-tree entry below *tree_sha*."""
        out: dict[str, FileInfo] = {}
        for entry in self.trees[tree_sha]:
            path = prefix + entry.name
            if entry.type == "tree":
                out.update(self.flatten(entry.sha, path + "/"))
            else:
                out[path] = (entry.mode, entry.type, entry.sha)
        return out

    def build_tree(self, files: dict[str, FileInfo]) -> str:
        """The root tree holding *files* (subtrees made as needed); returns its SHA."""
        children: dict[str, dict[str, FileInfo]] = {}
        entries: list[Entry] = []
        for path, (mode, kind, sha) in files.items():
            head, sep, rest = path.partition("/")
            if sep:
                children.setdefault(head, {})[rest] = (mode, kind, sha)
            else:
                entries.append(Entry(path, mode, kind, sha))
        for name, sub in children.items():
            entries.append(Entry(name, TREE_MODE, "tree", self.build_tree(sub)))
        return self.store_tree(entries)

    def files_at(self, commit_sha: str) -> dict[str, FileInfo]:
        return self.flatten(self.commits[commit_sha].tree)

    def contents_at(self, commit_sha: str) -> dict[str, bytes]:
        """path -> content of every file (blob) of *commit_sha*."""
        return {
            path: self.blobs[sha]
            for path, (_, kind, sha) in self.files_at(commit_sha).items()
            if kind == "blob"
        }

    @staticmethod
    def path_clash(files: dict[str, FileInfo], path: str) -> str | None:
        """Why *path* cannot be a new file among *files*: "file" (it is one), "directory" (files
        lie below it) or "parent" (a leading part of it is a file); None when it can."""
        if path in files:
            return "file"
        if any(p.startswith(path + "/") for p in files):
            return "directory"
        parts = path.split("/")
        if any("/".join(parts[:cut]) in files for cut in range(1, len(parts))):
            return "parent"
        return None

    # -- history and refs

    def head(self, branch: str) -> str | None:
        return self.refs.get(f"refs/heads/{branch}")

    def resolve(self, name: str) -> str | None:
        """A commit SHA for a SHA or a ref name (branch, tag, heads/x, refs/heads/x)."""
        if name in self.commits:
            return name
        for candidate in (name, f"refs/{name}", f"refs/heads/{name}", f"refs/tags/{name}"):
            if candidate in self.refs:
                return self.refs[candidate]
        return None

    def descends(self, sha: str, ancestor: str) -> bool:
        """Whether *ancestor* is *sha* or one of its ancestors."""
        stack, seen = [sha], set()
        while stack:
            current = stack.pop()
            if current == ancestor:
                return True
            if current in seen or current not in self.commits:
                continue
            seen.add(current)
            stack.extend(self.commits[current].parents)
        return False

    def last_commit_for_path(self, commit_sha: str, path: str) -> str | None:
        """The newest commit, following first parents from *commit_sha*, that changed *path*
        (what ``git log -1 -- PATH`` shows); None when *path* is not in *commit_sha*."""
        current: str | None = commit_sha
        found = self.files_at(commit_sha).get(path)
        if found is None:
            return None
        while current is not None:
            commit = self.commits[current]
            parent = commit.parents[0] if commit.parents else None
            before = self.files_at(parent).get(path) if parent else None
            if before != found:
                return current
            current = parent
        return None
