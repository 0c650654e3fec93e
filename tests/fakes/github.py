"""FakeGitHub: a stateful fake of GitHub's REST API (GHE-style, under ``/api/v3``) on 127.0.0.1.

It serves the operations of ``openapi/github.json`` (GitHub's own description, cut down by
``scripts/github_openapi_subset.py``) and checks every request and response against it. Behaviour
follows the descriptions in that file (docs.github.com): issue and commit comments, pulls,
repositories, Git data (blobs, trees, commits and refs with real Git object SHA-1s, kept in a
tests/fakes/git_store.py GitStore), files committed one at a time (contents API), check runs,
self-hosted runners of a repository or an organization (just-in-time configurations, registration
tokens, listing, deletion), and the web host's ``/OWNER/REPO/blob/SHA/PATH?raw=true`` links to
files.

    with FakeGitHub(token="ghs_fake_token_1234567890") as gh:
        gh.add_repo("octo/demo")
        gh.add_pull("octo/demo", 12, head_sha="a" * 40)
        github.Github(auth=github.Auth.Token(gh.token), base_url=gh.api_url)

A runner's machine is simulated with test-control methods: ``connect_runner`` is what
``run.sh --jitconfig CONFIG`` does, ``register_runner`` what ``config.sh --token T`` then ``run.sh``
do, ``finish_job`` what an ephemeral runner does after its job. They name the runners' owner by a
*scope*: "owner/repo" for a repository's runners, "org" for an organization's (``add_org``).
"""

from __future__ import annotations

import base64
import binascii
import itertools
import json
import mimetypes
import re
import secrets
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, ClassVar
from urllib.parse import quote

from tests.fakes.git_store import (
    FILE_MODE,
    Commit,
    Entry,
    FileInfo,
    GitStore,
    git_blob_sha,
    parse_date,
)
from tests.fakes.server import (
    OPENAPI_DIR,
    Contract,
    FakePlatform,
    HTTPError,
    Request,
    Response,
    Route,
    check_error_body,
    paginate,
)

__all__ = ["FakeGitHub", "git_blob_sha"]

JSON = dict[str, Any]

BOT_LOGIN = "github-actions[bot]"
BOT_ID = 41898282
MAX_COMMENT = 65536
EMPTY_TREE = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"
_SHA = re.compile(r"[0-9a-f]{40}")
_DOCS = "https://docs.github.com/rest"
_CONTENTS_DOCS = f"{_DOCS}/repos/contents#create-or-update-file-contents"
# Error answers GitHub's description gives as oneOf two schemas that every error body matches
# both of (basic-error and repository-rule-violation-error, neither closing its properties), so
# openapi-core rejects any body: these are checked as undocumented errors (a JSON message).
_AMBIGUOUS_ERRORS = frozenset({("PUT", "/repos/{owner}/{repo}/contents/{path}", 409)})

# What x-accepted-github-permissions says for each kind of write (docs.github.com: "Permissions
# required for GitHub Apps"; the header is what GitHub sends with a 403 to an installation token).
_WRITE_PERMISSIONS = {
    "issues": "issues=write; pull_requests=write",
    "contents": "contents=write",
    "checks": "checks=write",
    "pulls": "pull_requests=write",
    "actions": "actions=write",
}

RUNNER_VERSION = "2.321.0"
"""The version a runner reports once it has connected."""
RUNNER_NAME_MAX = 64
DEFAULT_RUNNER_LABELS = ("self-hosted", "Linux", "X64")
"""The read-only labels a Linux x64 runner gets when it is configured."""
DEFAULT_RUNNER_GROUP = 1  # "Default", the only runner group the fake knows
_RUNNER_STATUSES = ("online", "offline")
_TOKEN_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"  # registration tokens look like base32
# The 403 without admin rights. GitHub answers "... to Repository." for organization runners too
# (reported for GET /orgs/{org}/actions/runners), so both kinds use it.
_ADMIN_REQUIRED = "Must have admin rights to Repository."
# x-accepted-github-permissions on that 403, by (scope kind, read or write).
_RUNNER_PERMISSIONS = {
    ("repo", False): "administration=read",
    ("repo", True): "administration=write",
    ("org", False): "organization_self_hosted_runners=read",
    ("org", True): "organization_self_hosted_runners=write",
}


@dataclass
class _Issue:
    number: int
    title: str
    user: str
    created_at: float
    pull: JSON | None = None  # head/base of a pull request
    labels: list[str] = field(default_factory=list)


@dataclass
class _Runner:
    id: int
    name: str
    labels: list[str]  # the custom labels (the defaults are added when rendered)
    ephemeral: bool
    status: str = "offline"
    busy: bool = False
    version: str | None = None  # set once the runner has connected


@dataclass
class _RunnerPool:
    """The self-hosted runners of a repository or an organization."""

    runners: dict[int, _Runner] = field(default_factory=dict)
    tokens: dict[str, float] = field(default_factory=dict)  # registration token -> expiry
    label_ids: dict[str, int] = field(default_factory=dict)  # lower-case label name -> id

    def named(self, name: str) -> _Runner | None:
        return next((r for r in self.runners.values() if r.name == name), None)


@dataclass
class _JitConfig:
    scope: str  # lower-case "owner/repo" or "org"
    runner_id: int
    used: bool = False


@dataclass
class _Org:
    login: str
    id: int
    permission: str
    runners: _RunnerPool = field(default_factory=_RunnerPool)


@dataclass
class _Repo:
    owner: str
    name: str
    id: int
    permission: str
    default_branch: str
    private: bool
    created_at: float
    fork: bool = False
    allow_auto_merge: bool = True  # the repository setting "Allow auto-merge"
    workflow_runs: dict[int, JSON] = field(default_factory=dict)  # id -> status, conclusion, …
    issues: dict[int, _Issue] = field(default_factory=dict)
    comments: dict[int, JSON] = field(default_factory=dict)
    comment_issue: dict[int, int] = field(default_factory=dict)
    commit_comments: dict[int, JSON] = field(default_factory=dict)
    git: GitStore = field(default_factory=GitStore)
    check_runs: list[JSON] = field(default_factory=list)
    runners: _RunnerPool = field(default_factory=_RunnerPool)
    pushed: set[str] = field(default_factory=set)  # commits pushed by the test (add_commit)

    @property
    def full_name(self) -> str:
        return f"{self.owner}/{self.name}"

    @property
    def blobs(self) -> dict[str, bytes]:
        return self.git.blobs

    @property
    def trees(self) -> dict[str, list[Entry]]:
        return self.git.trees

    @property
    def commits(self) -> dict[str, Commit]:
        return self.git.commits

    @property
    def refs(self) -> dict[str, str]:
        """Ref name ("refs/heads/main") -> commit SHA."""
        return self.git.refs


def _iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _node_id(prefix: str, number: int) -> str:
    return prefix + "_" + base64.b64encode(f"fake{number}".encode()).decode().rstrip("=")


def _validation_failed(
    resource: str, field_name: str, message: str, code: str = "custom"
) -> HTTPError:
    return HTTPError(
        422,
        {
            "message": "Validation Failed",
            "errors": [
                {"resource": resource, "code": code, "field": field_name, "message": message}
            ],
            "documentation_url": _DOCS,
            "status": "422",
        },
    )


def _check_status(status: str) -> None:
    if status not in _RUNNER_STATUSES:
        raise ValueError(f"a runner's status is online or offline, not {status!r}")


def _b64_json(data: JSON) -> str:
    return base64.b64encode(json.dumps(data).encode()).decode()


def _from_b64_json(text: str) -> JSON:
    """The JSON object in base64 *text*; ValueError when it is not one."""
    try:
        data = json.loads(base64.b64decode(text, validate=True))
    except (binascii.Error, ValueError, TypeError) as exc:
        raise ValueError(f"not base64 of JSON: {exc}") from None
    if not isinstance(data, dict):
        raise ValueError("not base64 of a JSON object")
    return data


def _decode_jit_config(encoded: str) -> tuple[JSON, str]:
    """The ``.runner`` settings and the OAuth client id in an encoded JIT configuration (base64
    of a JSON object holding the runner's files, each base64 too, as the runner writes them)."""
    try:
        files = _from_b64_json(encoded)
        runner = _from_b64_json(files[".runner"])
        credentials = _from_b64_json(files[".credentials"])
        client_id = credentials["Data"]["clientId"]
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"garbled JIT configuration: {exc}") from None
    if not isinstance(client_id, str):
        raise ValueError("garbled JIT configuration: no client id")
    return runner, client_id


class FakeGitHub(FakePlatform):
    """A fake GitHub (see the module's docstring). Everything it creates is authored by
    ``user_login``, the owner of ``token``."""

    api_prefix: ClassVar[str] = "/api/v3"
    spec_file = OPENAPI_DIR / "github.json"
    greedy_params: ClassVar[frozenset[str]] = frozenset({"ref", "path"})

    def __init__(self, token: str = "ghs_fake_token_1234567890") -> None:
        super().__init__()
        self.token = token
        self.user_login = BOT_LOGIN
        self.rate_limit = 5000
        self._used = 0
        self._repos: dict[str, _Repo] = {}
        self._orgs: dict[str, _Org] = {}
        self._jit_configs: dict[str, _JitConfig] = {}  # by the OAuth client id in the config
        self.registration_token_ttl = 3600.0
        """Seconds a registration token stays valid (GitHub: one hour); 0 issues expired ones."""
        self._user_ids: dict[str, int] = {BOT_LOGIN: BOT_ID}
        self._ids = itertools.count(1_000_001)
        self._register()

    # -- URLs

    @property
    def api_url(self) -> str:
        return self.url + self.api_prefix

    @property
    def server_url(self) -> str:
        return self.url

    # -- test set-up

    def add_repo(
        self,
        full_name: str,
        permission: str = "write",
        *,
        default_branch: str = "main",
        private: bool = False,
        fork: bool = False,
    ) -> None:
        """A repository with one commit (README.md) on *default_branch*. *permission* is what
        the token may do: "write" (comments, Git data, check runs), "admin" (that and the
        self-hosted runner routes, which answer 403 to "write"), or "read" like a fork pull
        request's GITHUB_TOKEN, whose every write answers 403."""
        if permission not in ("read", "write", "admin"):
            raise ValueError(f"permission must be read, write or admin, not {permission!r}")
        owner, _, name = full_name.partition("/")
        with self._lock:
            repo = _Repo(
                owner, name, next(self._ids), permission, default_branch, private, time.time(), fork
            )
            self._repos[full_name.lower()] = repo
            readme = f"# {name}\n".encode()
            tree = repo.git.store_tree(
                [Entry("README.md", "100644", "blob", repo.git.store_blob(readme))]
            )
            who = {
                "name": "Monalisa Octocat",
                "email": "octocat@github.com",
                "date": "2024-01-01T00:00:00Z",
            }
            commit = repo.git.store_commit(tree, [], who, who, "Initial commit")
            repo.refs[f"refs/heads/{default_branch}"] = commit

    def add_commit(self, repo: str, sha: str) -> None:
        """A commit the repository has (pushed from the test's own git repository), so that
        commit comments and check runs on it are accepted."""
        with self._lock:
            self._repo_or_fail(repo).pushed.add(sha)

    def add_pull_head(self, repo: str, number: int, head_sha: str) -> None:
        """A new push to pull request *number*: its head is now *head_sha*."""
        with self._lock:
            pull = self._repo_or_fail(repo).issues[number].pull
            assert pull is not None, f"#{number} is not a pull request"
            pull["head_sha"] = head_sha

    def close_pull(self, repo: str, number: int) -> None:
        """Pull request *number* is closed (or merged): no longer where a push's report goes."""
        with self._lock:
            pull = self._repo_or_fail(repo).issues[number].pull
            assert pull is not None, f"#{number} is not a pull request"
            pull["state"] = "closed"

    def add_issue(
        self, repo: str, number: int, *, title: str = "An issue", user: str = "octocat"
    ) -> None:
        with self._lock:
            r = self._repo_or_fail(repo)
            r.issues[number] = _Issue(number, title, user, time.time())

    def add_pull(
        self,
        repo: str,
        number: int,
        head_sha: str,
        *,
        head_ref: str = "feature",
        base_ref: str | None = None,
        head_repo: str | None = None,
        title: str = "A pull request",
        user: str = "octocat",
    ) -> None:
        """Pull request (and issue) *number*. *head_repo* ("someone/demo") makes it a pull request
        from a fork: its head repository is a fork owned by someone else."""
        if not _SHA.fullmatch(head_sha):
            raise ValueError(f"head_sha must be 40 lower-case hex digits, not {head_sha!r}")
        with self._lock:
            r = self._repo_or_fail(repo)
            base = base_ref or r.default_branch
            base_sha = r.refs.get(f"refs/heads/{base}", EMPTY_TREE)
            pull: JSON = {
                "head_sha": head_sha,
                "head_ref": head_ref,
                "base_ref": base,
                "base_sha": base_sha,
                "head_repo": head_repo,
            }
            r.issues[number] = _Issue(number, title, user, time.time(), pull)

    def seed_comments(
        self, repo: str, number: int, count: int, *, body: str = "lgtm", user: str = "someone"
    ) -> list[JSON]:
        """*count* comments by *user* on issue or pull request *number*; returns them."""
        with self._lock:
            r = self._repo_or_fail(repo)
            issue = self._issue_or_fail(r, number)
            return [self._new_comment(r, issue, body, user) for _ in range(count)]

    def add_org(self, name: str, permission: str = "admin") -> None:
        """Organization *name*, for its self-hosted runners (scope "*name*"; its repositories'
        runners are separate). *permission* as in add_repo: only "admin" may use its runner
        routes, "read" and "write" get 403."""
        if permission not in ("read", "write", "admin"):
            raise ValueError(f"permission must be read, write or admin, not {permission!r}")
        if "/" in name:
            raise ValueError(f"an organization's name has no slash: {name!r}")
        with self._lock:
            self._orgs[name.lower()] = _Org(name, next(self._ids), permission)

    def put_file(
        self, repo: str, branch: str, path: str, data: bytes, *, message: str | None = None
    ) -> str:
        """Commit file *path* holding *data* on *branch* (created from the default branch's head
        when it does not exist), replacing any file there, as if someone else had pushed it.
        Returns the new commit's SHA. ValueError when *path* is a directory or lies below a
        file."""
        with self._lock:
            r = self._repo_or_fail(repo)
            clean = path.strip("/")
            head = r.git.head(branch) or r.git.head(r.default_branch)
            if head is None:
                raise ValueError(f"{repo} has no branch {r.default_branch!r} to start from")
            clash = GitStore.path_clash(r.git.files_at(head), clean)
            if clash not in (None, "file"):
                raise ValueError(f"{clean!r} clashes with the tree of {branch!r}: a {clash}")
            who = {"name": "Monalisa Octocat", "email": "octocat@github.com"}
            who["date"] = _iso(time.time())
            return self._commit_file(
                r, branch, head, clean, data, message or f"Add {clean}", who, who
            )

    def conflict_next_put(self, repo: str, *, branch: str | None = None, times: int = 1) -> None:
        """The next *times* ``PUT /repos/{owner}/{repo}/contents/...`` of *repo* answer 409 as
        GitHub does when the branch moved while the file was being committed (``is at SHA but
        expected SHA``), and change nothing: a fault (see add_fault) with GitHub's message for
        *branch* (default: the default branch)."""
        with self._lock:
            r = self._repo_or_fail(repo)
            expected = r.git.head(branch or r.default_branch) or EMPTY_TREE
        self.add_fault(
            "PUT",
            rf"(?i)^/repos/{re.escape(r.full_name)}/contents/",
            409,
            times=times,
            body={
                "message": f"is at {secrets.token_hex(20)} but expected {expected}",
                "documentation_url": _CONTENTS_DOCS,
                "status": "409",
            },
        )

    # -- self-hosted runners: what the runner application does

    def connect_runner(self, encoded_jit_config: str) -> JSON:
        """What ``run.sh --jitconfig CONFIG`` does: decode the configuration a
        generate-jitconfig route answered with and bring its runner online (with
        RUNNER_VERSION). Returns the runner as the API shows it. Raises ValueError for a
        configuration that is garbled or was not issued by this fake, one already used (a JIT
        configuration is single-use), or one whose runner was deleted meanwhile."""
        runner_file, client_id = _decode_jit_config(encoded_jit_config)
        with self._lock:
            config = self._jit_configs.get(client_id)
            if config is None or runner_file.get("AgentId") != config.runner_id:
                raise ValueError("not a JIT configuration this fake issued")
            if config.used:
                raise ValueError(f"JIT configuration of runner {config.runner_id} already used")
            pool = self._pool_or_fail(config.scope)
            runner = pool.runners.get(config.runner_id)
            if runner is None:
                raise ValueError(
                    f"runner {config.runner_id} was deleted: the runner registration has been "
                    "deleted from the server"
                )
            config.used = True
            runner.status, runner.version = "online", RUNNER_VERSION
            return self._runner_json(pool, runner)

    def register_runner(
        self, scope: str, token: str, name: str, labels: list[str], ephemeral: bool = True
    ) -> JSON:
        """What ``config.sh --url URL --token TOKEN --name NAME --labels L --ephemeral`` then
        ``run.sh`` do: register runner *name* with registration *token* (from a
        registration-token route of *scope*, "owner/repo" or "org") and bring it online.
        Returns the runner. Raises ValueError for a token that is unknown, expired or issued
        for another scope, or when *scope* already has a runner called *name*."""
        with self._lock:
            pool = self._pool_or_fail(scope)
            expiry = pool.tokens.get(token)
            if expiry is None:
                raise ValueError(f"registration token not valid for {scope!r}")
            if time.time() >= expiry:
                raise ValueError(f"registration token for {scope!r} expired at {_iso(expiry)}")
            if pool.named(name) is not None:
                raise ValueError(f"A runner exists with the same name {name!r} in {scope!r}")
            runner = self._new_runner(pool, name, labels, ephemeral)
            runner.status, runner.version = "online", RUNNER_VERSION
            return self._runner_json(pool, runner)

    def finish_job(self, scope: str, runner_id: int) -> None:
        """Runner *runner_id* of *scope* finished its job: an ephemeral (or JIT) runner
        unregisters itself and is gone; another goes back to idle. KeyError when unknown."""
        with self._lock:
            pool = self._pool_or_fail(scope)
            runner = self._runner_or_fail(pool, scope, runner_id)
            if runner.ephemeral:
                del pool.runners[runner_id]
            else:
                runner.busy = False

    # -- self-hosted runners: set-up and inspection

    def add_runner(
        self,
        scope: str,
        name: str,
        labels: list[str],
        status: str = "offline",
        busy: bool = False,
        *,
        ephemeral: bool = True,
    ) -> JSON:
        """A runner that already exists in *scope* ("owner/repo" or "org"), e.g. one a
        crashed machine left behind. An online one has RUNNER_VERSION. Returns it."""
        _check_status(status)
        with self._lock:
            pool = self._pool_or_fail(scope)
            if pool.named(name) is not None:
                raise ValueError(f"{scope!r} already has a runner called {name!r}")
            runner = self._new_runner(pool, name, labels, ephemeral)
            runner.status, runner.busy = status, busy
            runner.version = RUNNER_VERSION if status == "online" else None
            return self._runner_json(pool, runner)

    def set_runner_status(
        self, scope: str, runner_id: int, status: str, busy: bool = False
    ) -> JSON:
        """Set runner *runner_id*'s *status* ("online" or "offline") and *busy* (running a job,
        so that deleting it answers 422). Returns the runner."""
        _check_status(status)
        with self._lock:
            pool = self._pool_or_fail(scope)
            runner = self._runner_or_fail(pool, scope, runner_id)
            runner.status, runner.busy = status, busy
            if status == "online" and runner.version is None:
                runner.version = RUNNER_VERSION
            return self._runner_json(pool, runner)

    def runners(self, scope: str) -> list[JSON]:
        """The runners of *scope* ("owner/repo" or "org") in id order, as the API shows them."""
        with self._lock:
            pool = self._pool_or_fail(scope)
            return [self._runner_json(pool, r) for _, r in sorted(pool.runners.items())]

    # -- inspection

    def comments(self, repo: str, number: int) -> list[JSON]:
        """The comments on issue/pull request *number*, in id order, as the API returns them."""
        with self._lock:
            r = self._repo_or_fail(repo)
            return [
                dict(c) for cid, c in sorted(r.comments.items()) if r.comment_issue[cid] == number
            ]

    def commit_comments(self, repo: str, sha: str) -> list[JSON]:
        with self._lock:
            r = self._repo_or_fail(repo)
            return [dict(c) for _, c in sorted(r.commit_comments.items()) if c["commit_id"] == sha]

    def check_runs(self, repo: str) -> list[JSON]:
        with self._lock:
            return [dict(c) for c in self._repo_or_fail(repo).check_runs]

    def branch_files(self, repo: str, branch: str) -> dict[str, bytes]:
        """Path -> content of every file at the head of *branch*; {} when there is no branch."""
        with self._lock:
            r = self._repo_or_fail(repo)
            head = r.git.head(branch)
            return {} if head is None else r.git.contents_at(head)

    def ref(self, repo: str, ref: str) -> str | None:
        """The commit SHA that *ref* ("heads/main" or "refs/heads/main") points to."""
        with self._lock:
            r = self._repo_or_fail(repo)
            return r.refs.get(ref if ref.startswith("refs/") else f"refs/{ref}")

    # -- platform hooks

    def auth_kind(self, headers: Mapping[str, str]) -> str | None:
        scheme = headers.get("authorization", "").partition(" ")[0].lower()
        return scheme or None

    def authenticate(self, req: Request) -> None:
        scheme, _, value = req.headers.get("authorization", "").partition(" ")
        if scheme.lower() in ("token", "bearer") and value.strip() == self.token:
            return
        raise HTTPError(
            401, {"message": "Bad credentials", "documentation_url": _DOCS, "status": "401"}
        )

    def common_headers(self, req: Request | None, resp: Response) -> dict[str, str]:
        if req is None or not req.api:
            return {}
        with self._lock:
            self._used += 1
            used = self._used
        reset = int(time.time()) // 3600 * 3600 + 3600
        return {
            "x-ratelimit-limit": str(self.rate_limit),
            "x-ratelimit-remaining": str(max(self.rate_limit - used, 0)),
            "x-ratelimit-reset": str(reset),
            "x-ratelimit-used": str(used),
            "x-ratelimit-resource": "core",
            "x-github-api-version-selected": "2022-11-28",
            "x-github-media-type": "github.v3; format=json",
            "x-github-request-id": f"FAKE:{used:08X}",
        }

    def error(self, status: int, message: str, req: Request | None = None) -> Response:
        return Response.json(
            status,
            {"message": message, "documentation_url": self._docs(req), "status": str(status)},
        )

    def _check_response(
        self, contract: Contract, route: Route, req: Request, resp: Response
    ) -> None:
        if (route.method, route.template, resp.status) in _AMBIGUOUS_ERRORS:
            for error in check_error_body(resp):
                self._record_error(f"response {resp.status} to {req.method} {req.path}: {error}")
            return
        super()._check_response(contract, route, req, resp)

    def _docs(self, req: Request | None) -> str:
        if req is None or req.template is None:
            return _DOCS
        op = self.contract.operation(req.method, req.template) or {}
        return str(op.get("externalDocs", {}).get("url", _DOCS))

    # -- helpers

    def _repo_or_fail(self, full_name: str) -> _Repo:
        repo = self._repos.get(full_name.lower())
        if repo is None:
            raise KeyError(f"no repository {full_name!r}: call add_repo() first")
        return repo

    def _repo(self, req: Request) -> _Repo:
        repo = self._repos.get(f"{req.params['owner']}/{req.params['repo']}".lower())
        if repo is None:
            raise HTTPError(404, "Not Found")
        return repo

    def _writable(self, req: Request, repo: _Repo, scope: str) -> None:
        if repo.permission == "read":
            raise HTTPError(
                403,
                {
                    "message": "Resource not accessible by integration",
                    "documentation_url": self._docs(req),
                    "status": "403",
                },
                {"x-accepted-github-permissions": _WRITE_PERMISSIONS[scope]},
            )

    def _pool_or_fail(self, scope: str) -> _RunnerPool:
        if "/" in scope:
            return self._repo_or_fail(scope).runners
        org = self._orgs.get(scope.lower())
        if org is None:
            raise KeyError(f"no organization {scope!r}: call add_org() first")
        return org.runners

    @staticmethod
    def _runner_or_fail(pool: _RunnerPool, scope: str, runner_id: int) -> _Runner:
        runner = pool.runners.get(runner_id)
        if runner is None:
            raise KeyError(f"no runner {runner_id} in {scope!r}")
        return runner

    def _issue_or_fail(self, repo: _Repo, number: int) -> _Issue:
        issue = repo.issues.get(number)
        if issue is None:
            raise KeyError(f"no issue or pull request #{number} in {repo.full_name}")
        return issue

    def _issue(self, repo: _Repo, req: Request, name: str = "issue_number") -> _Issue:
        try:
            number = int(req.params[name])
        except ValueError:
            raise HTTPError(404, "Not Found") from None
        issue = repo.issues.get(number)
        if issue is None:
            raise HTTPError(404, "Not Found")
        return issue

    def _body(self, req: Request) -> JSON:
        data = req.json()
        return data if isinstance(data, dict) else {}

    def _user_id(self, login: str) -> int:
        if login not in self._user_ids:
            self._user_ids[login] = 583231 + len(self._user_ids)
        return self._user_ids[login]

    def _user(self, login: str) -> JSON:
        uid = self._user_id(login)
        api = f"{self.api_url}/users/{quote(login)}"
        bot = login.endswith("[bot]")
        avatar = "in/15368" if bot else f"u/{uid}"
        return {
            "login": login,
            "id": uid,
            "node_id": _node_id("BOT" if bot else "U", uid),
            "avatar_url": f"https://avatars.githubusercontent.com/{avatar}?v=4",
            "gravatar_id": "",
            "url": api,
            "html_url": f"{self.server_url}/{'apps/' + login[:-5] if bot else login}",
            "followers_url": f"{api}/followers",
            "following_url": f"{api}/following{{/other_user}}",
            "gists_url": f"{api}/gists{{/gist_id}}",
            "starred_url": f"{api}/starred{{/owner}}{{/repo}}",
            "subscriptions_url": f"{api}/subscriptions",
            "organizations_url": f"{api}/orgs",
            "repos_url": f"{api}/repos",
            "events_url": f"{api}/events{{/privacy}}",
            "received_events_url": f"{api}/received_events",
            "type": "Bot" if bot else "User",
            "user_view_type": "public",
            "site_admin": False,
        }

    def _email(self, login: str) -> str:
        return f"{self._user_id(login)}+{login}@users.noreply.github.com"

    def _association(self, repo: _Repo, login: str) -> str:
        return "OWNER" if login.lower() == repo.owner.lower() else "NONE"

    def _repo_json(self, repo: _Repo, *, full: bool = False, owner: str | None = None) -> JSON:
        owner = owner or repo.owner
        full_name = f"{owner}/{repo.name}"
        api = f"{self.api_url}/repos/{full_name}"
        html = f"{self.server_url}/{full_name}"
        host = self.server_url.split("://", 1)[1]
        data: JSON = {
            "id": repo.id,
            "node_id": _node_id("R", repo.id),
            "name": repo.name,
            "full_name": full_name,
            "owner": self._user(owner),
            "private": repo.private,
            "html_url": html,
            "description": None,
            "fork": repo.fork,
            "url": api,
            "archive_url": f"{api}/{{archive_format}}{{/ref}}",
            "assignees_url": f"{api}/assignees{{/user}}",
            "blobs_url": f"{api}/git/blobs{{/sha}}",
            "branches_url": f"{api}/branches{{/branch}}",
            "collaborators_url": f"{api}/collaborators{{/collaborator}}",
            "comments_url": f"{api}/comments{{/number}}",
            "commits_url": f"{api}/commits{{/sha}}",
            "compare_url": f"{api}/compare/{{base}}...{{head}}",
            "contents_url": f"{api}/contents/{{+path}}",
            "contributors_url": f"{api}/contributors",
            "deployments_url": f"{api}/deployments",
            "downloads_url": f"{api}/downloads",
            "events_url": f"{api}/events",
            "forks_url": f"{api}/forks",
            "git_commits_url": f"{api}/git/commits{{/sha}}",
            "git_refs_url": f"{api}/git/refs{{/sha}}",
            "git_tags_url": f"{api}/git/tags{{/sha}}",
            "git_url": f"git://{host}/{full_name}.git",
            "hooks_url": f"{api}/hooks",
            "issue_comment_url": f"{api}/issues/comments{{/number}}",
            "issue_events_url": f"{api}/issues/events{{/number}}",
            "issues_url": f"{api}/issues{{/number}}",
            "keys_url": f"{api}/keys{{/key_id}}",
            "labels_url": f"{api}/labels{{/name}}",
            "languages_url": f"{api}/languages",
            "merges_url": f"{api}/merges",
            "milestones_url": f"{api}/milestones{{/number}}",
            "notifications_url": f"{api}/notifications{{?since,all,participating}}",
            "pulls_url": f"{api}/pulls{{/number}}",
            "releases_url": f"{api}/releases{{/id}}",
            "ssh_url": f"git@{host}:{full_name}.git",
            "stargazers_url": f"{api}/stargazers",
            "statuses_url": f"{api}/statuses/{{sha}}",
            "subscribers_url": f"{api}/subscribers",
            "subscription_url": f"{api}/subscription",
            "tags_url": f"{api}/tags",
            "teams_url": f"{api}/teams",
            "trees_url": f"{api}/git/trees{{/sha}}",
            "clone_url": f"{html}.git",
            "mirror_url": None,
            "svn_url": html,
            "homepage": None,
            "language": "Python",
            "forks_count": 0,
            "forks": 0,
            "stargazers_count": 0,
            "watchers_count": 0,
            "watchers": 0,
            "size": 1,
            "default_branch": repo.default_branch,
            "open_issues_count": len(repo.issues),
            "open_issues": len(repo.issues),
            "is_template": False,
            "topics": [],
            "has_issues": True,
            "has_projects": True,
            "has_wiki": True,
            "has_pages": False,
            "has_downloads": True,
            "has_discussions": False,
            "archived": False,
            "disabled": False,
            "visibility": "private" if repo.private else "public",
            "pushed_at": _iso(repo.created_at),
            "created_at": _iso(repo.created_at),
            "updated_at": _iso(repo.created_at),
            "allow_forking": True,
            "web_commit_signoff_required": False,
            "license": None,
        }
        if full:
            data["network_count"] = 0
            data["subscribers_count"] = 1
        return data

    # -- comments

    def _new_comment(self, repo: _Repo, issue: _Issue, body: str, login: str) -> JSON:
        cid = next(self._ids)
        now = _iso(time.time())
        kind = "pull" if issue.pull is not None else "issues"
        api = f"{self.api_url}/repos/{repo.full_name}"
        html = f"{self.server_url}/{repo.full_name}/{kind}/{issue.number}"
        comment = {
            "id": cid,
            "node_id": _node_id("IC", cid),
            "url": f"{api}/issues/comments/{cid}",
            "html_url": f"{html}#issuecomment-{cid}",
            "issue_url": f"{api}/issues/{issue.number}",
            "body": body,
            "user": self._user(login),
            "created_at": now,
            "updated_at": now,
            "author_association": self._association(repo, login),
            "performed_via_github_app": None,
            "reactions": self._reactions(f"{api}/issues/comments/{cid}/reactions"),
        }
        repo.comments[cid] = comment
        repo.comment_issue[cid] = issue.number
        return dict(comment)

    @staticmethod
    def _reactions(url: str) -> JSON:
        counts = dict.fromkeys(
            ["+1", "-1", "laugh", "hooray", "confused", "heart", "rocket", "eyes"], 0
        )
        return {"url": url, "total_count": 0, **counts}

    def _checked_body(self, req: Request, resource: str) -> str:
        body = self._body(req).get("body")
        if not isinstance(body, str):
            raise _validation_failed(resource, "body", "body wasn't supplied", "missing_field")
        if len(body) > MAX_COMMENT:
            raise _validation_failed(
                resource, "body", f"body is too long (maximum is {MAX_COMMENT} characters)"
            )
        return body

    def _list_issue_comments(self, req: Request) -> Response:
        repo = self._repo(req)
        issue = self._issue(repo, req)
        items = [
            c for cid, c in sorted(repo.comments.items()) if repo.comment_issue[cid] == issue.number
        ]
        since = req.arg("since")
        if since:
            limit = parse_date(since)
            items = [c for c in items if parse_date(c["updated_at"]) >= limit]
        return self._paged(req, items)

    def _paged(self, req: Request, items: list[JSON]) -> Response:
        page = paginate(items, req, default=30)
        link = page.link_header(self.api_url, req)
        return Response.json(200, page.items, {"Link": link} if link else {})

    def _create_issue_comment(self, req: Request) -> Response:
        repo = self._repo(req)
        self._writable(req, repo, "issues")
        issue = self._issue(repo, req)
        comment = self._new_comment(
            repo, issue, self._checked_body(req, "IssueComment"), self.user_login
        )
        return Response.json(201, comment, {"Location": comment["url"]})

    def _issue_comment(self, req: Request, repo: _Repo) -> JSON:
        try:
            comment = repo.comments.get(int(req.params["comment_id"]))
        except ValueError:
            comment = None
        if comment is None:
            raise HTTPError(404, "Not Found")
        return comment

    def _update_issue_comment(self, req: Request) -> Response:
        repo = self._repo(req)
        self._writable(req, repo, "issues")
        comment = self._issue_comment(req, repo)
        comment["body"] = self._checked_body(req, "IssueComment")
        comment["updated_at"] = _iso(time.time())
        return Response.json(200, comment)

    def _delete_issue_comment(self, req: Request) -> Response:
        repo = self._repo(req)
        self._writable(req, repo, "issues")
        comment = self._issue_comment(req, repo)
        del repo.comments[comment["id"]]
        del repo.comment_issue[comment["id"]]
        return Response.empty()

    def _known_commit(self, repo: _Repo, sha: str) -> bool:
        if sha in repo.commits or sha in repo.pushed:
            return True
        pulls = [i.pull for i in repo.issues.values() if i.pull is not None]
        return any(sha in (p["head_sha"], p["base_sha"]) for p in pulls)

    def _list_commit_comments(self, req: Request) -> Response:
        repo = self._repo(req)
        sha = req.params["commit_sha"]
        items = [c for _, c in sorted(repo.commit_comments.items()) if c["commit_id"] == sha]
        return self._paged(req, items)

    def _create_commit_comment(self, req: Request) -> Response:
        repo = self._repo(req)
        self._writable(req, repo, "contents")
        sha = req.params["commit_sha"]
        body = self._checked_body(req, "CommitComment")
        if not self._known_commit(repo, sha):
            raise HTTPError(422, f"No commit found for SHA: {sha}")
        data = self._body(req)
        cid = next(self._ids)
        now = _iso(time.time())
        api = f"{self.api_url}/repos/{repo.full_name}"
        comment: JSON = {
            "id": cid,
            "node_id": _node_id("CC", cid),
            "url": f"{api}/comments/{cid}",
            "html_url": f"{self.server_url}/{repo.full_name}/commit/{sha}#commitcomment-{cid}",
            "body": body,
            "path": data.get("path"),
            "position": data.get("position"),
            "line": data.get("line"),
            "commit_id": sha,
            "user": self._user(self.user_login),
            "created_at": now,
            "updated_at": now,
            "author_association": self._association(repo, self.user_login),
            "reactions": self._reactions(f"{api}/comments/{cid}/reactions"),
        }
        repo.commit_comments[cid] = comment
        return Response.json(201, comment, {"Location": comment["url"]})

    def _commit_comment(self, req: Request, repo: _Repo) -> JSON:
        try:
            comment = repo.commit_comments.get(int(req.params["comment_id"]))
        except ValueError:
            comment = None
        if comment is None:
            raise HTTPError(404, "Not Found")
        return comment

    def _update_commit_comment(self, req: Request) -> Response:
        repo = self._repo(req)
        self._writable(req, repo, "contents")
        comment = self._commit_comment(req, repo)
        comment["body"] = self._checked_body(req, "CommitComment")
        comment["updated_at"] = _iso(time.time())
        return Response.json(200, comment)

    def _delete_commit_comment(self, req: Request) -> Response:
        repo = self._repo(req)
        self._writable(req, repo, "contents")
        comment = self._commit_comment(req, repo)
        del repo.commit_comments[comment["id"]]
        return Response.empty()

    # -- issues, pulls, repositories

    def _issue_json(self, repo: _Repo, issue: _Issue) -> JSON:
        api = f"{self.api_url}/repos/{repo.full_name}/issues/{issue.number}"
        kind = "pull" if issue.pull is not None else "issues"
        count = sum(1 for n in repo.comment_issue.values() if n == issue.number)
        data: JSON = {
            "id": repo.id * 1000 + issue.number,
            "node_id": _node_id("I", repo.id * 1000 + issue.number),
            "url": api,
            "repository_url": f"{self.api_url}/repos/{repo.full_name}",
            "labels_url": f"{api}/labels{{/name}}",
            "comments_url": f"{api}/comments",
            "events_url": f"{api}/events",
            "html_url": f"{self.server_url}/{repo.full_name}/{kind}/{issue.number}",
            "number": issue.number,
            "state": "open",
            "title": issue.title,
            "body": None,
            "user": self._user(issue.user),
            "labels": [],
            "assignee": None,
            "assignees": [],
            "milestone": None,
            "locked": False,
            "active_lock_reason": None,
            "comments": count,
            "closed_at": None,
            "created_at": _iso(issue.created_at),
            "updated_at": _iso(issue.created_at),
            "closed_by": None,
            "author_association": self._association(repo, issue.user),
            "reactions": self._reactions(f"{api}/reactions"),
        }
        if issue.pull is not None:
            pull_html = f"{self.server_url}/{repo.full_name}/pull/{issue.number}"
            data["pull_request"] = {
                "url": f"{self.api_url}/repos/{repo.full_name}/pulls/{issue.number}",
                "html_url": pull_html,
                "diff_url": f"{pull_html}.diff",
                "patch_url": f"{pull_html}.patch",
                "merged_at": None,
            }
        return data

    def _get_issue(self, req: Request) -> Response:
        repo = self._repo(req)
        return Response.json(200, self._issue_json(repo, self._issue(repo, req)))

    def _pull_json(self, repo: _Repo, issue: _Issue) -> JSON:
        pull = issue.pull
        assert pull is not None
        n = issue.number
        api = f"{self.api_url}/repos/{repo.full_name}"
        html = f"{self.server_url}/{repo.full_name}/pull/{n}"
        head_owner = pull["head_repo"].split("/")[0] if pull["head_repo"] else repo.owner
        head_repo = self._repo_json(repo, owner=head_owner)
        if pull["head_repo"]:
            head_repo["fork"] = True
            head_repo["name"] = pull["head_repo"].split("/", 1)[1]
            head_repo["full_name"] = pull["head_repo"]
            head_repo["id"] = repo.id + 1
            head_repo["node_id"] = _node_id("R", repo.id + 1)

        def link(href: str) -> JSON:
            return {"href": href}

        count = sum(1 for number in repo.comment_issue.values() if number == n)
        return {
            "url": f"{api}/pulls/{n}",
            "id": repo.id * 1000 + n,
            "node_id": _node_id("PR", repo.id * 1000 + n),
            "html_url": html,
            "diff_url": f"{html}.diff",
            "patch_url": f"{html}.patch",
            "issue_url": f"{api}/issues/{n}",
            "commits_url": f"{api}/pulls/{n}/commits",
            "review_comments_url": f"{api}/pulls/{n}/comments",
            "review_comment_url": f"{api}/pulls/comments{{/number}}",
            "comments_url": f"{api}/issues/{n}/comments",
            "statuses_url": f"{api}/statuses/{pull['head_sha']}",
            "number": n,
            "state": pull.get("state", "open"),
            "locked": False,
            "title": issue.title,
            "user": self._user(issue.user),
            "body": pull.get("body"),
            "labels": [self._label_json(repo, name) for name in issue.labels],
            "milestone": None,
            "active_lock_reason": None,
            "created_at": _iso(issue.created_at),
            "updated_at": _iso(issue.created_at),
            "closed_at": None,
            "merged_at": None,
            "merge_commit_sha": None,
            "assignee": None,
            "assignees": [],
            "requested_reviewers": [],
            "requested_teams": [],
            "head": {
                "label": f"{head_owner}:{pull['head_ref']}",
                "ref": pull["head_ref"],
                "sha": pull["head_sha"],
                "user": self._user(head_owner),
                "repo": head_repo,
            },
            "base": {
                "label": f"{repo.owner}:{pull['base_ref']}",
                "ref": pull["base_ref"],
                "sha": pull["base_sha"],
                "user": self._user(repo.owner),
                "repo": self._repo_json(repo),
            },
            "_links": {
                "self": link(f"{api}/pulls/{n}"),
                "html": link(html),
                "issue": link(f"{api}/issues/{n}"),
                "comments": link(f"{api}/issues/{n}/comments"),
                "review_comments": link(f"{api}/pulls/{n}/comments"),
                "review_comment": link(f"{api}/pulls/comments{{/number}}"),
                "commits": link(f"{api}/pulls/{n}/commits"),
                "statuses": link(f"{api}/statuses/{pull['head_sha']}"),
            },
            "author_association": self._association(repo, issue.user),
            "auto_merge": (
                {
                    "enabled_by": self._user(self.user_login),
                    **pull["auto_merge"],
                    "commit_title": issue.title,
                    "commit_message": "",
                }
                if pull.get("auto_merge")
                else None
            ),
            "draft": bool(pull.get("draft")),
            "merged": False,
            "mergeable": True,
            "rebaseable": True,
            "mergeable_state": "clean",
            "merged_by": None,
            "comments": count,
            "review_comments": 0,
            "maintainer_can_modify": False,
            "commits": 1,
            "additions": 1,
            "deletions": 0,
            "changed_files": 1,
        }

    def _get_pull(self, req: Request) -> Response:
        repo = self._repo(req)
        issue = self._issue(repo, req, "pull_number")
        if issue.pull is None:
            raise HTTPError(404, "Not Found")
        return Response.json(200, self._pull_json(repo, issue))

    def _commit_pulls(self, req: Request) -> Response:
        """GET …/commits/{sha}/pulls: the pull requests whose head is the commit (GitHub also
        lists those that merely contain it: a head is what mlreport asks about), open and
        closed, newest first; 422 for a commit the repository does not have."""
        repo = self._repo(req)
        sha = req.params["commit_sha"]
        found = [
            i for i in repo.issues.values() if i.pull is not None and i.pull["head_sha"] == sha
        ]
        if not found and not self._known_commit(repo, sha):
            raise HTTPError(422, f"No commit found for SHA: {sha}")
        found.sort(key=lambda i: -i.number)
        return Response.json(200, [self._pull_json(repo, i) for i in found])

    # -- workflow runs (runner cleanup --rerun)

    def add_workflow_run(
        self,
        repo: str,
        run_id: int,
        *,
        status: str = "completed",
        conclusion: str | None = "failure",
        attempt: int = 1,
    ) -> None:
        with self._lock:
            self._repo_or_fail(repo).workflow_runs[run_id] = {
                "status": status, "conclusion": conclusion, "attempt": attempt, "reruns": 0,
            }  # fmt: skip

    def workflow_run(self, repo: str, run_id: int) -> JSON:
        with self._lock:
            return dict(self._repo_or_fail(repo).workflow_runs[run_id])

    def _workflow_run_json(self, repo: _Repo, run_id: int, run: JSON) -> JSON:
        api = f"{self.api_url}/repos/{repo.full_name}/actions/runs/{run_id}"
        sha = repo.refs.get(f"refs/heads/{repo.default_branch}", EMPTY_TREE)
        return {
            "id": run_id, "node_id": _node_id("WFR", run_id), "name": "Train on a GPU",
            "head_branch": repo.default_branch, "head_sha": sha, "run_number": run_id % 1000,
            "run_attempt": run["attempt"], "display_title": "Train on a GPU",
            "event": "workflow_dispatch", "status": run["status"],
            "conclusion": run["conclusion"], "path": ".github/workflows/train.yml",
            "workflow_id": 1, "url": api,
            "html_url": f"{self.server_url}/{repo.full_name}/actions/runs/{run_id}",
            "created_at": _iso(repo.created_at), "updated_at": _iso(repo.created_at),
            "head_commit": None, "head_repository": self._repo_json(repo),
            "repository": self._repo_json(repo), "jobs_url": f"{api}/jobs",
            "logs_url": f"{api}/logs", "check_suite_url": f"{api}/check-suite",
            "cancel_url": f"{api}/cancel", "rerun_url": f"{api}/rerun",
            "artifacts_url": f"{api}/artifacts", "workflow_url": f"{api}/workflow",
            "pull_requests": [],
        }  # fmt: skip

    def _get_workflow_run(self, req: Request) -> Response:
        repo = self._repo(req)
        run_id = int(req.params["run_id"])
        run = repo.workflow_runs.get(run_id)
        if run is None:
            raise HTTPError(404, "Not Found")
        return Response.json(200, self._workflow_run_json(repo, run_id, run))

    def _rerun_workflow(self, req: Request) -> Response:
        """POST …/rerun: a completed run starts its next attempt; 403 while it is running."""
        repo = self._repo(req)
        self._writable(req, repo, "actions")
        run = repo.workflow_runs.get(int(req.params["run_id"]))
        if run is None:
            raise HTTPError(404, "Not Found")
        if run["status"] != "completed":
            raise HTTPError(403, "This workflow is already running")
        run.update(status="queued", conclusion=None, attempt=run["attempt"] + 1)
        run["reruns"] += 1
        return Response.json(201, {})

    # -- pull requests opened by mlreport (pr create)

    def _list_pulls(self, req: Request) -> Response:
        """GET …/pulls: filtered by state (default open), head ("owner:branch") and base;
        newest first, paged."""
        repo = self._repo(req)
        state, head, base = req.arg("state", "open"), req.arg("head"), req.arg("base")
        found = []
        for issue in sorted(repo.issues.values(), key=lambda i: -i.number):
            pull = issue.pull
            if pull is None or (state != "all" and pull.get("state", "open") != state):
                continue
            owner = pull["head_repo"].split("/")[0] if pull["head_repo"] else repo.owner
            if head is not None and head != f"{owner}:{pull['head_ref']}":
                continue
            if base is not None and base != pull["base_ref"]:
                continue
            found.append(self._pull_json(repo, issue))
        return self._paged(req, found)

    def _create_pull(self, req: Request) -> Response:
        """POST …/pulls: head and base are branches of this repository; 422 as GitHub says
        it when one is missing, when they have the same commit, or when an open pull request
        of that head exists."""
        repo = self._repo(req)
        self._writable(req, repo, "pulls")
        data = self._body(req)
        head, base = data["head"].split(":")[-1], data["base"]
        head_sha, base_sha = (repo.refs.get(f"refs/heads/{b}") for b in (head, base))
        if head_sha is None or base_sha is None:
            field_name = "head" if head_sha is None else "base"
            raise HTTPError(422, _validation_failed("PullRequest", field_name, "invalid"))
        if head_sha == base_sha:
            raise HTTPError(422, f"No commits between {base} and {head}")
        for issue in repo.issues.values():
            pull = issue.pull
            if pull and pull.get("state", "open") == "open" and pull["head_ref"] == head:
                raise HTTPError(422, f"A pull request already exists for {repo.owner}:{head}.")
        number = max([0, *repo.issues]) + 1
        issue = _Issue(number, data["title"], self.user_login, time.time())
        issue.pull = {
            "head_sha": head_sha, "head_ref": head, "base_ref": base, "base_sha": base_sha,
            "head_repo": None, "body": data.get("body"), "draft": bool(data.get("draft")),
        }  # fmt: skip
        repo.issues[number] = issue
        body = self._pull_json(repo, issue)
        return Response.json(201, body, {"Location": body["url"]})

    def _update_pull(self, req: Request) -> Response:
        repo = self._repo(req)
        self._writable(req, repo, "pulls")
        issue = self._issue(repo, req, "pull_number")
        if issue.pull is None:
            raise HTTPError(404, "Not Found")
        data = self._body(req)
        if "title" in data:
            issue.title = data["title"]
        if "body" in data:
            issue.pull["body"] = data["body"]
        if "state" in data:
            issue.pull["state"] = data["state"]
        return Response.json(200, self._pull_json(repo, issue))

    def _add_labels(self, req: Request) -> Response:
        repo = self._repo(req)
        self._writable(req, repo, "issues")
        issue = self._issue(repo, req)
        labels = issue.labels
        for name in self._body(req).get("labels", []):
            if name not in labels:
                labels.append(name)
        return Response.json(200, [self._label_json(repo, n) for n in labels])

    def _label_json(self, repo: _Repo, name: str) -> JSON:
        number = sum(ord(c) for c in name)
        return {
            "id": number, "node_id": _node_id("LA", number), "name": name,
            "url": f"{self.api_url}/repos/{repo.full_name}/labels/{quote(name)}",
            "description": "", "color": "ededed", "default": False,
        }  # fmt: skip

    def _graphql(self, req: Request) -> Response:
        """POST /api/graphql, the one mutation mlreport sends: enablePullRequestAutoMerge
        (GraphQL has no OpenAPI description: the query and its variables are checked here).
        A repository without "allow auto-merge" answers as GitHub does, with an error."""
        self.authenticate(req)
        data = json.loads(req.body or b"{}")
        query, variables = data.get("query", ""), data.get("variables") or {}
        if "enablePullRequestAutoMerge" not in query or "$id: ID!" not in query:
            return Response.json(200, {"errors": [{"message": "unsupported query"}]})
        with self._lock:
            for repo in self._repos.values():
                for issue in repo.issues.values():
                    node = _node_id("PR", repo.id * 1000 + issue.number)
                    if issue.pull is None or node != variables.get("id"):
                        continue
                    if not repo.allow_auto_merge:
                        message = "Pull request Auto merge is not allowed for this repository"
                        return Response.json(200, {"errors": [{"message": message}]})
                    method = variables.get("method", "MERGE")
                    issue.pull["auto_merge"] = {"merge_method": method.lower()}
                    payload = {"pullRequest": {"number": issue.number, "url": ""}}
                    return Response.json(200, {"data": {"enablePullRequestAutoMerge": payload}})
        return Response.json(200, {"errors": [{"message": "Could not resolve to a node"}]})

    def _get_repo(self, req: Request) -> Response:
        return Response.json(200, self._repo_json(self._repo(req), full=True))

    def _get_authenticated_user(self, req: Request) -> Response:
        """GET /user: the token's user; 403 for a bot's token (the workflow's GITHUB_TOKEN, a
        GitHub App installation token), as GitHub answers it."""
        if self.user_login.endswith("[bot]"):
            raise HTTPError(
                403,
                {
                    "message": "Resource not accessible by integration",
                    "documentation_url": "https://docs.github.com/rest/users/users"
                    "#get-the-authenticated-user",
                    "status": "403",
                },
            )
        user = self._user(self.user_login)
        profile = dict.fromkeys(("name", "company", "blog", "location", "email", "hireable"))
        profile |= {"bio": None, "public_repos": 1, "public_gists": 0, "followers": 0}
        stamp = "2024-01-01T00:00:00Z"
        return Response.json(
            200, {**user, **profile, "following": 0, "created_at": stamp, "updated_at": stamp}
        )

    # -- Git data

    def _tree_entry_json(self, repo: _Repo, path: str, mode: str, kind: str, sha: str) -> JSON:
        api = f"{self.api_url}/repos/{repo.full_name}/git"
        entry: JSON = {"path": path, "mode": mode.rjust(6, "0"), "type": kind, "sha": sha}
        if kind == "blob":
            entry["size"] = len(repo.blobs[sha])
            entry["url"] = f"{api}/blobs/{sha}"
        elif kind == "tree":
            entry["url"] = f"{api}/trees/{sha}"
        return entry

    def _tree_json(self, repo: _Repo, sha: str, recursive: bool) -> JSON:
        entries: list[JSON] = []

        def walk(tree_sha: str, prefix: str) -> None:
            for e in repo.trees[tree_sha]:
                entries.append(self._tree_entry_json(repo, prefix + e.name, e.mode, e.type, e.sha))
                if recursive and e.type == "tree":
                    walk(e.sha, prefix + e.name + "/")

        walk(sha, "")
        return {
            "sha": sha,
            "url": f"{self.api_url}/repos/{repo.full_name}/git/trees/{sha}",
            "tree": entries,
            "truncated": False,
        }

    def _create_blob(self, req: Request) -> Response:
        repo = self._repo(req)
        self._writable(req, repo, "contents")
        data = self._body(req)
        encoding = data.get("encoding", "utf-8")
        content = data["content"]
        if encoding == "base64":
            try:
                raw = base64.b64decode(content, validate=False)
            except (binascii.Error, ValueError):
                raise _validation_failed("Blob", "content", "content is not valid Base64") from None
        elif encoding in ("utf-8", "utf8"):
            raw = content.encode()
        else:
            raise _validation_failed("Blob", "encoding", f"encoding {encoding!r} is not supported")
        sha = repo.git.store_blob(raw)
        url = f"{self.api_url}/repos/{repo.full_name}/git/blobs/{sha}"
        return Response.json(201, {"url": url, "sha": sha}, {"Location": url})

    def _create_tree(self, req: Request) -> Response:
        repo = self._repo(req)
        self._writable(req, repo, "contents")
        data = self._body(req)
        files: dict[str, FileInfo] = {}
        base = data.get("base_tree")
        if base is not None:
            if base not in repo.trees:
                raise HTTPError(422, "Invalid tree info" if _SHA.fullmatch(base) else "Not Found")
            files = repo.git.flatten(base)
        for item in data["tree"]:
            path = str(item.get("path", "")).strip("/")
            if not path:
                raise HTTPError(422, "Invalid tree info")
            if "sha" in item and "content" in item:
                raise HTTPError(
                    422, "Must supply either tree.sha or tree.content. Request included both."
                )
            mode = item.get("mode", "100644")
            kind = item.get("type", "tree" if mode == "040000" else "blob")
            prefix = path + "/"
            if "content" in item:
                if kind != "blob":
                    raise HTTPError(422, "Invalid tree info")
                files = {p: v for p, v in files.items() if not p.startswith(prefix)}
                files[path] = (mode, "blob", repo.git.store_blob(str(item["content"]).encode()))
            elif item.get("sha") is None:  # deletes the file or directory
                files = {p: v for p, v in files.items() if p != path and not p.startswith(prefix)}
            elif kind == "tree":
                if item["sha"] not in repo.trees:
                    raise HTTPError(422, "GitRPC::BadObjectState")
                files = {p: v for p, v in files.items() if p != path and not p.startswith(prefix)}
                for sub, value in repo.git.flatten(item["sha"]).items():
                    files[f"{path}/{sub}"] = value
            else:
                if kind == "blob" and item["sha"] not in repo.blobs:
                    raise HTTPError(422, "GitRPC::BadObjectState")
                files = {p: v for p, v in files.items() if not p.startswith(prefix)}
                files[path] = (mode, kind, item["sha"])
        sha = repo.git.build_tree(files)
        body = self._tree_json(repo, sha, recursive=False)
        return Response.json(201, body, {"Location": body["url"]})

    def _get_tree(self, req: Request) -> Response:
        repo = self._repo(req)
        name = req.params["tree_sha"]
        sha: str | None = name if name in repo.trees else None
        if sha is None:
            commit = repo.git.resolve(name)
            sha = repo.commits[commit].tree if commit else None
        if sha is None:
            raise HTTPError(404, "Not Found")
        # "Setting this parameter to any value returns the objects or subtrees referenced by the
        # tree" (docs.github.com): even recursive=0 or false.
        return Response.json(200, self._tree_json(repo, sha, recursive=req.has_arg("recursive")))

    def _commit_json(self, repo: _Repo, commit: Commit) -> JSON:
        api = f"{self.api_url}/repos/{repo.full_name}/git"
        html = f"{self.server_url}/{repo.full_name}/commit"
        return {
            "sha": commit.sha,
            "node_id": _node_id("C", int(commit.sha[:8], 16)),
            "url": f"{api}/commits/{commit.sha}",
            "html_url": f"{html}/{commit.sha}",
            "author": dict(commit.author),
            "committer": dict(commit.committer),
            "tree": {"sha": commit.tree, "url": f"{api}/trees/{commit.tree}"},
            "message": commit.message,
            "parents": [
                {"sha": p, "url": f"{api}/commits/{p}", "html_url": f"{html}/{p}"}
                for p in commit.parents
            ],
            "verification": {
                "verified": False,
                "reason": "unsigned",
                "signature": None,
                "payload": None,
                "verified_at": None,
            },
        }

    def _create_commit(self, req: Request) -> Response:
        repo = self._repo(req)
        self._writable(req, repo, "contents")
        data = self._body(req)
        if data["tree"] not in repo.trees:
            raise HTTPError(422, "Tree SHA does not exist")
        parents = list(data.get("parents", []))
        for parent in parents:
            if parent not in repo.commits:
                raise HTTPError(422, "Parent SHA does not exist or is not a commit object")
        now = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        default = {"name": self.user_login, "email": self._email(self.user_login), "date": now}
        author = {**default, **(data.get("author") or {})}
        committer = {**author, **(data.get("committer") or {})}
        for who in (author, committer):
            try:
                parse_date(who["date"])
            except ValueError:
                raise _validation_failed(
                    "Commit", "date", f"invalid date {who['date']!r}"
                ) from None
        sha = repo.git.store_commit(data["tree"], parents, author, committer, data["message"])
        body = self._commit_json(repo, repo.commits[sha])
        return Response.json(201, body, {"Location": body["url"]})

    def _get_commit(self, req: Request) -> Response:
        repo = self._repo(req)
        commit = repo.commits.get(req.params["commit_sha"])
        if commit is None:
            raise HTTPError(404, "Not Found")
        return Response.json(200, self._commit_json(repo, commit))

    def _get_blob(self, req: Request) -> Response:
        repo = self._repo(req)
        sha = req.params["file_sha"]
        content = repo.blobs.get(sha)
        if content is None:
            raise HTTPError(404, "Not Found")
        encoded = base64.b64encode(content).decode()
        # GitHub wraps the Base64 at 60 characters a line, as Ruby's Base64.encode64 does.
        wrapped = "".join(encoded[i : i + 60] + "\n" for i in range(0, len(encoded), 60))
        return Response.json(
            200,
            {
                "sha": sha,
                "node_id": _node_id("B", int(sha[:8], 16)),
                "size": len(content),
                "url": f"{self.api_url}/repos/{repo.full_name}/git/blobs/{sha}",
                "content": wrapped,
                "encoding": "base64",
            },
        )

    # -- contents: one file committed at a time

    def _commit_file(
        self,
        repo: _Repo,
        branch: str,
        head: str,
        path: str,
        content: bytes,
        message: str,
        author: JSON,
        committer: JSON,
    ) -> str:
        """A commit on top of *head* whose tree is *head*'s plus *path* holding *content*; moves
        (or creates) *branch* to it and returns its SHA."""
        files = repo.git.files_at(head)
        mode = files[path][0] if path in files else FILE_MODE
        files[path] = (mode, "blob", repo.git.store_blob(content))
        tree = repo.git.build_tree(files)
        sha = repo.git.store_commit(tree, [head], author, committer, message)
        repo.refs[f"refs/heads/{branch}"] = sha
        return sha

    def _content_json(self, repo: _Repo, branch: str, path: str, sha: str) -> JSON:
        api = f"{self.api_url}/repos/{repo.full_name}"
        web = f"{self.server_url}/{repo.full_name}"
        url = f"{api}/contents/{quote(path)}?ref={quote(branch, safe='')}"
        git_url = f"{api}/git/blobs/{sha}"
        html_url = f"{web}/blob/{quote(branch)}/{quote(path)}"
        return {
            "name": path.rpartition("/")[2],
            "path": path,
            "sha": sha,
            "size": len(repo.blobs[sha]),
            "url": url,
            "html_url": html_url,
            "git_url": git_url,
            "download_url": f"{web}/raw/{quote(branch)}/{quote(path)}",
            "type": "file",
            "_links": {"self": url, "git": git_url, "html": html_url},
        }

    def _put_contents(self, req: Request) -> Response:
        """PUT /repos/{owner}/{repo}/contents/{path}: create or replace one file, as one commit
        on the branch. The branch is checked first (404), then the path and the content (422),
        then ``sha``: required when the path exists (422), and it must be the blob's (409)."""
        repo = self._repo(req)
        self._writable(req, repo, "contents")
        data = self._body(req)
        branch = data.get("branch") or repo.default_branch
        head = repo.git.head(branch)
        if head is None:
            raise HTTPError(404, f"Branch {branch} not found")
        path = req.params["path"]
        if any(part in ("", ".", "..", ".git") for part in path.split("/")):
            raise HTTPError(422, "path contains a malformed path component")
        try:
            content = base64.b64decode("".join(data["content"].split()), validate=True)
        except (binascii.Error, ValueError):
            raise HTTPError(422, "content is not valid Base64") from None
        files = repo.git.files_at(head)
        clash = GitStore.path_clash(files, path)
        sha = data.get("sha")
        if clash in ("file", "directory"):
            if sha is None:
                raise HTTPError(422, 'Invalid request.\n\n"sha" wasn\'t supplied.')
            if clash == "directory" or sha != files[path][2]:
                raise HTTPError(409, f"{path} does not match {sha}")
        elif clash == "parent":
            raise HTTPError(422, f"{path} cannot be created: a leading part of it is a file")
        login = self.user_login
        default = {"name": login, "email": self._email(login), "date": _iso(time.time())}
        committer = {**default, **(data.get("committer") or {})}
        author = {**committer, **(data.get("author") or {})}  # the author defaults to it
        for who in (author, committer):
            try:
                parse_date(who["date"])
            except ValueError:
                raise _validation_failed(
                    "Commit", "date", f"invalid date {who['date']!r}"
                ) from None
        commit = self._commit_file(
            repo, branch, head, path, content, data["message"], author, committer
        )
        blob = repo.git.files_at(commit)[path][2]
        body = {
            "content": self._content_json(repo, branch, path, blob),
            "commit": self._commit_json(repo, repo.commits[commit]),
        }
        return Response.json(200 if clash == "file" else 201, body)

    def _ref_json(self, repo: _Repo, ref: str) -> JSON:
        api = f"{self.api_url}/repos/{repo.full_name}/git"
        sha = repo.refs[ref]
        return {
            "ref": ref,
            "node_id": _node_id("REF", sum(ref.encode())),
            "url": f"{api}/{quote(ref)}",
            "object": {"type": "commit", "sha": sha, "url": f"{api}/commits/{sha}"},
        }

    def _get_branch(self, req: Request) -> Response:
        repo = self._repo(req)
        name = req.params["branch"]
        sha = repo.refs.get(f"refs/heads/{name}")
        if sha is None:
            raise HTTPError(404, "Branch not found")
        commit = repo.commits[sha]
        api = f"{self.api_url}/repos/{repo.full_name}"
        web = f"{self.server_url}/{repo.full_name}"
        return Response.json(
            200,
            {
                "name": name,
                "commit": {
                    "url": f"{api}/commits/{sha}",
                    "sha": sha,
                    "node_id": _node_id("C", int(sha[:8], 16)),
                    "html_url": f"{web}/commit/{sha}",
                    "comments_url": f"{api}/commits/{sha}/comments",
                    "commit": {
                        "url": f"{api}/git/commits/{sha}",
                        "author": dict(commit.author),
                        "committer": dict(commit.committer),
                        "message": commit.message,
                        "comment_count": 0,
                        "tree": {"sha": commit.tree, "url": f"{api}/git/trees/{commit.tree}"},
                    },
                    "author": {},  # the schema's empty-object: no GitHub user for it
                    "committer": {},
                    "parents": [
                        {"sha": p, "url": f"{api}/commits/{p}", "html_url": f"{web}/commit/{p}"}
                        for p in commit.parents
                    ],
                },
                "_links": {"html": f"{web}/tree/{name}", "self": f"{api}/branches/{name}"},
                "protected": False,
                "protection": {"enabled": False},
                "protection_url": f"{api}/branches/{name}/protection",
            },
        )

    def _get_ref(self, req: Request) -> Response:
        repo = self._repo(req)
        ref = "refs/" + req.params["ref"]
        if ref not in repo.refs:
            raise HTTPError(404, "Not Found")
        return Response.json(200, self._ref_json(repo, ref))

    def _create_ref(self, req: Request) -> Response:
        repo = self._repo(req)
        self._writable(req, repo, "contents")
        data = self._body(req)
        ref, sha = data["ref"], data["sha"]
        if not ref.startswith("refs/") or ref.count("/") < 2:
            raise HTTPError(
                422, "Reference name must start with 'refs/' and have at least two slashes."
            )
        if ref in repo.refs:
            raise HTTPError(422, "Reference already exists")
        if sha not in repo.commits:
            raise HTTPError(422, "Object does not exist")
        repo.refs[ref] = sha
        body = self._ref_json(repo, ref)
        return Response.json(201, body, {"Location": body["url"]})

    def _update_ref(self, req: Request) -> Response:
        repo = self._repo(req)
        self._writable(req, repo, "contents")
        data = self._body(req)
        ref = "refs/" + req.params["ref"]
        if ref not in repo.refs:
            raise HTTPError(422, "Reference does not exist")
        sha = data["sha"]
        if sha not in repo.commits:
            raise HTTPError(422, "Object does not exist")
        if not data.get("force", False) and not repo.git.descends(sha, repo.refs[ref]):
            raise HTTPError(422, "Update is not a fast forward")
        repo.refs[ref] = sha
        return Response.json(200, self._ref_json(repo, ref))

    # -- checks

    def _create_check_run(self, req: Request) -> Response:
        repo = self._repo(req)
        self._writable(req, repo, "checks")
        data = self._body(req)
        rid = next(self._ids)
        now = _iso(time.time())
        conclusion = data.get("conclusion")
        status = "completed" if conclusion else data.get("status", "queued")
        output = data.get("output") or {}
        api = f"{self.api_url}/repos/{repo.full_name}"
        app_owner = self._user("github")
        run = {
            "id": rid,
            "node_id": _node_id("CR", rid),
            "head_sha": data["head_sha"],
            "external_id": data.get("external_id", ""),
            "url": f"{api}/check-runs/{rid}",
            "html_url": f"{self.server_url}/{repo.full_name}/runs/{rid}",
            "details_url": data.get(
                "details_url", f"{self.server_url}/{repo.full_name}/runs/{rid}"
            ),
            "status": status,
            "conclusion": conclusion,
            "started_at": data.get("started_at", now),
            "completed_at": data.get("completed_at", now if status == "completed" else None),
            "output": {
                "title": output.get("title"),
                "summary": output.get("summary"),
                "text": output.get("text"),
                "annotations_count": len(output.get("annotations") or []),
                "annotations_url": f"{api}/check-runs/{rid}/annotations",
            },
            "name": data["name"],
            "check_suite": {"id": rid + 1},
            "app": {
                "id": 15368,
                "slug": "github-actions",
                "node_id": "MDM6QXBwMTUzNjg=",
                "client_id": "Iv1.05c79e9ad1f6bdfa",
                "owner": app_owner,
                "name": "GitHub Actions",
                "description": "Automate your workflow from idea to production",
                "external_url": "https://help.github.com/en/actions",
                "html_url": f"{self.server_url}/apps/github-actions",
                "created_at": "2018-07-30T09:30:17Z",
                "updated_at": "2024-04-10T20:33:16Z",
                "permissions": {
                    "checks": "write",
                    "contents": "write",
                    "issues": "write",
                    "metadata": "read",
                },
                "events": ["check_run", "check_suite", "push"],
            },
            "pull_requests": [],
        }
        repo.check_runs.append(run)
        return Response.json(201, run, {"Location": run["url"]})

    # -- self-hosted runners

    def _runner_scope(self, req: Request) -> tuple[str, _RunnerPool]:
        """The scope ("owner/repo" or "org") and runners of a runner route: 404 for an unknown
        repository or organization, 403 without admin rights."""
        if "org" in req.params:
            org = self._orgs.get(req.params["org"].lower())
            if org is None:
                raise HTTPError(404, "Not Found")
            kind, scope, permission, pool = "org", org.login, org.permission, org.runners
        else:
            repo = self._repo(req)
            kind, scope, permission, pool = "repo", repo.full_name, repo.permission, repo.runners
        if permission != "admin":
            raise HTTPError(
                403,
                {
                    "message": _ADMIN_REQUIRED,
                    "documentation_url": self._docs(req),
                    "status": "403",
                },
                {"x-accepted-github-permissions": _RUNNER_PERMISSIONS[kind, req.method != "GET"]},
            )
        return scope, pool

    def _label_id(self, pool: _RunnerPool, name: str) -> int:
        key = name.lower()  # labels are case-insensitive (docs.github.com)
        if key not in pool.label_ids:
            pool.label_ids[key] = next(self._ids)
        return pool.label_ids[key]

    def _new_runner(
        self, pool: _RunnerPool, name: str, labels: list[str], ephemeral: bool
    ) -> _Runner:
        custom: list[str] = []
        seen = {label.lower() for label in DEFAULT_RUNNER_LABELS}
        for label in labels:
            if label.lower() not in seen:
                seen.add(label.lower())
                custom.append(label)
        runner = _Runner(next(self._ids), name, custom, ephemeral)
        pool.runners[runner.id] = runner
        return runner

    def _runner_json(self, pool: _RunnerPool, runner: _Runner) -> JSON:
        labels = [(label, "read-only") for label in DEFAULT_RUNNER_LABELS]
        labels += [(label, "custom") for label in runner.labels]
        return {
            "id": runner.id,
            "runner_group_id": DEFAULT_RUNNER_GROUP,
            "name": runner.name,
            "os": "Linux",
            "status": runner.status,
            "busy": runner.busy,
            "ephemeral": runner.ephemeral,
            "version": runner.version,
            "labels": [
                {"id": self._label_id(pool, name), "name": name, "type": kind}
                for name, kind in labels
            ],
        }

    def _runner_invalid(self, req: Request, message: str) -> HTTPError:
        return HTTPError(
            422,
            {
                "message": "Validation Failed",
                "errors": [message],
                "documentation_url": self._docs(req),
                "status": "422",
            },
        )

    def _encode_jit_config(self, scope: str, runner: _Runner, work_folder: str) -> str:
        """A configuration shaped like GitHub's: base64 of the runner's files (``.runner``,
        ``.credentials``, ``.credentials_rsaparams``), each base64 of JSON. Its hosts are the
        fake's, so that nothing in it points outside 127.0.0.1."""
        client_id = str(uuid.uuid4())
        self._jit_configs[client_id] = _JitConfig(scope.lower(), runner.id)
        service = f"{self.server_url}/_services/pipelines/{secrets.token_hex(16)}/"

        def key_part(size: int) -> str:
            return base64.b64encode(secrets.token_bytes(size)).decode()

        files: dict[str, JSON] = {
            ".runner": {
                "AgentId": runner.id,
                "AgentName": runner.name,
                "PoolId": DEFAULT_RUNNER_GROUP,
                "PoolName": "Default",
                "Ephemeral": True,
                "DisableUpdate": False,
                "ServerUrl": service,
                "GitHubUrl": f"{self.server_url}/{scope}",
                "WorkFolder": work_folder,
            },
            ".credentials": {
                "Scheme": "OAuth",
                "Data": {
                    "clientId": client_id,
                    "authorizationUrl": f"{service}_apis/oauth2/token",
                    "requireFipsCryptography": "False",
                },
            },
            ".credentials_rsaparams": {
                "d": key_part(256),
                "dp": key_part(128),
                "dq": key_part(128),
                "exponent": "AQAB",
                "inverseQ": key_part(128),
                "modulus": key_part(256),
                "p": key_part(128),
                "q": key_part(128),
            },
        }
        return _b64_json({name: _b64_json(content) for name, content in files.items()})

    def _generate_jitconfig(self, req: Request) -> Response:
        scope, pool = self._runner_scope(req)
        data = self._body(req)
        name = data["name"]
        if not name.strip():
            raise self._runner_invalid(req, "name can't be blank")
        if len(name) > RUNNER_NAME_MAX:
            raise self._runner_invalid(
                req, f"name is too long (maximum is {RUNNER_NAME_MAX} characters)"
            )
        if any(not label.strip() for label in data["labels"]):
            raise self._runner_invalid(req, "labels can't be blank")
        if data["runner_group_id"] != DEFAULT_RUNNER_GROUP:
            raise HTTPError(404, "Not Found")
        if pool.named(name) is not None:
            raise HTTPError(409, f"Already exists - A runner with the name {name} already exists.")
        runner = self._new_runner(pool, name, data["labels"], ephemeral=True)
        config = self._encode_jit_config(scope, runner, data.get("work_folder") or "_work")
        return Response.json(
            201, {"runner": self._runner_json(pool, runner), "encoded_jit_config": config}
        )

    def _registration_token(self, req: Request) -> Response:
        _, pool = self._runner_scope(req)
        token = "A" + "".join(secrets.choice(_TOKEN_ALPHABET) for _ in range(28))
        expiry = time.time() + self.registration_token_ttl
        pool.tokens[token] = expiry
        return Response.json(201, {"token": token, "expires_at": _iso(expiry)})

    def _list_runners(self, req: Request) -> Response:
        _, pool = self._runner_scope(req)
        items = [self._runner_json(pool, r) for _, r in sorted(pool.runners.items())]
        name = req.arg("name")
        if name is not None:
            items = [r for r in items if r["name"] == name]
        page = paginate(items, req, default=30)
        link = page.link_header(self.api_url, req)
        return Response.json(
            200, {"total_count": page.total, "runners": page.items}, {"Link": link} if link else {}
        )

    def _delete_runner(self, req: Request) -> Response:
        _, pool = self._runner_scope(req)
        try:
            runner = pool.runners.get(int(req.params["runner_id"]))
        except ValueError:
            runner = None
        if runner is None:
            raise HTTPError(404, "Not Found")
        if runner.busy:
            raise HTTPError(422, f'Bad request - Runner "{runner.name}" is still running a job"')
        del pool.runners[runner.id]
        return Response.empty()

    # -- the web host

    def _web_blob(self, req: Request) -> Response:
        owner, name = req.params["owner"], req.params["repo"]
        if req.arg("raw") == "true":
            target = f"/{owner}/{name}/raw/{req.params['rest']}"
            return Response(
                302, b"", {"Location": self.server_url + target}, "text/html; charset=utf-8"
            )
        if self._web_file(owner, name, req.params["rest"]) is None:
            return Response(404, b"Not Found", {}, "text/plain; charset=utf-8")
        html = f"<!DOCTYPE html><title>{owner}/{name}</title>".encode()
        return Response(200, html, {}, "text/html; charset=utf-8")

    def _web_raw(self, req: Request) -> Response:
        found = self._web_file(req.params["owner"], req.params["repo"], req.params["rest"])
        if found is None:
            return Response(404, b"404: Not Found", {}, "text/plain; charset=utf-8")
        path, content = found
        ctype = mimetypes.guess_type(path)[0] or "application/octet-stream"
        if ctype.startswith("text/"):
            ctype = "text/plain; charset=utf-8"
        return Response(200, content, {"X-Content-Type-Options": "nosniff"}, ctype)

    def _web_file(self, owner: str, name: str, rest: str) -> tuple[str, bytes] | None:
        """The file at "<commit or branch>/<path>" (a branch name may contain slashes)."""
        repo = self._repos.get(f"{owner}/{name}".lower())
        if repo is None:
            return None
        parts = rest.split("/")
        for cut in range(1, len(parts)):
            commit = repo.git.resolve("/".join(parts[:cut]))
            if commit is None:
                continue
            path = "/".join(parts[cut:])
            found = repo.git.flatten(repo.commits[commit].tree).get(path)
            if found is not None and found[1] == "blob":
                return path, repo.blobs[found[2]]
        return None

    # -- routes

    def _register(self) -> None:
        r = "/repos/{owner}/{repo}"
        routes = [
            ("GET", f"{r}/issues/{{issue_number}}/comments", self._list_issue_comments),
            ("POST", f"{r}/issues/{{issue_number}}/comments", self._create_issue_comment),
            ("PATCH", f"{r}/issues/comments/{{comment_id}}", self._update_issue_comment),
            ("DELETE", f"{r}/issues/comments/{{comment_id}}", self._delete_issue_comment),
            ("GET", f"{r}/issues/{{issue_number}}", self._get_issue),
            ("GET", f"{r}/commits/{{commit_sha}}/comments", self._list_commit_comments),
            ("POST", f"{r}/commits/{{commit_sha}}/comments", self._create_commit_comment),
            ("PATCH", f"{r}/comments/{{comment_id}}", self._update_commit_comment),
            ("DELETE", f"{r}/comments/{{comment_id}}", self._delete_commit_comment),
            ("GET", f"{r}/pulls/{{pull_number}}", self._get_pull),
            ("PATCH", f"{r}/pulls/{{pull_number}}", self._update_pull),
            ("GET", f"{r}/pulls", self._list_pulls),
            ("POST", f"{r}/pulls", self._create_pull),
            ("POST", f"{r}/issues/{{issue_number}}/labels", self._add_labels),
            ("GET", f"{r}/actions/runs/{{run_id}}", self._get_workflow_run),
            ("POST", f"{r}/actions/runs/{{run_id}}/rerun", self._rerun_workflow),
            ("GET", f"{r}/commits/{{commit_sha}}/pulls", self._commit_pulls),
            ("GET", r, self._get_repo),
            ("GET", f"{r}/branches/{{branch}}", self._get_branch),
            ("GET", f"{r}/git/ref/{{ref}}", self._get_ref),
            ("POST", f"{r}/git/refs", self._create_ref),
            ("PATCH", f"{r}/git/refs/{{ref}}", self._update_ref),
            ("GET", f"{r}/git/trees/{{tree_sha}}", self._get_tree),
            ("POST", f"{r}/git/trees", self._create_tree),
            ("POST", f"{r}/git/blobs", self._create_blob),
            ("GET", f"{r}/git/commits/{{commit_sha}}", self._get_commit),
            ("POST", f"{r}/git/commits", self._create_commit),
            ("GET", f"{r}/git/blobs/{{file_sha}}", self._get_blob),
            ("PUT", f"{r}/contents/{{path}}", self._put_contents),
            ("POST", f"{r}/check-runs", self._create_check_run),
            ("GET", "/user", self._get_authenticated_user),
        ]
        for scope in (r, "/orgs/{org}"):
            runners = f"{scope}/actions/runners"
            routes += [
                ("POST", f"{runners}/generate-jitconfig", self._generate_jitconfig),
                ("POST", f"{runners}/registration-token", self._registration_token),
                ("GET", runners, self._list_runners),
                ("DELETE", f"{runners}/{{runner_id}}", self._delete_runner),
            ]
        for method, template, handler in routes:
            self.route(method, template, handler)
        web = frozenset({"rest"})
        self.route("GET", "/{owner}/{repo}/blob/{rest}", self._web_blob, api=False, greedy=web)
        self.route("GET", "/{owner}/{repo}/raw/{rest}", self._web_raw, api=False, greedy=web)
        self.route("POST", "/api/graphql", self._graphql, api=False)
