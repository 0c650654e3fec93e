"""Secrets kept out of everything mlreport writes: its output, the report, the comment.

What counts as a secret, for one invocation (:func:`secrets_of`):

- the value of every environment variable whose name says it is one (``TOKEN``, ``SECRET``,
  ``PASSWORD``, ``API_KEY``, ``ACCESS_KEY``, ``PRIVATE_KEY``, ``CREDENTIAL``...): the
  platforms' tokens (GITHUB_TOKEN, GITLAB_TOKEN, MLREPORT_TOKEN, CI_JOB_TOKEN, INPUT_TOKEN),
  AWS keys, a training command's own secrets;
- the value given with ``--token``, whatever variable it came from;
- MLflow's credentials: ``MLFLOW_TRACKING_USERNAME`` (``_PASSWORD`` and ``_TOKEN`` are
  secret-named), and the user and password in ``MLFLOW_TRACKING_URI``
  (``https://user:pass@host``);
- anything shaped like a well-known token (``ghp_…``, ``github_pat_…``, ``glpat-…``, AWS
  access key ids, Slack, Hugging Face and OpenAI-style keys), wherever it appears.

A :class:`Redactor` replaces each by ``***`` -- in text, bytes, JSON-like data and a command
line (where the value after a secret-named flag such as ``--hf-token`` goes too). The CLI
makes one per invocation and :func:`activate` s it; the report writer, the publisher, the
``run`` command's output and the console (:mod:`mlreport.console`) all use
:func:`current`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any
from urllib.parse import quote, unquote, urlsplit

MASK = "***"
SECRET_NAME = re.compile(
    r"TOKEN|SECRET|PASSWORD|PASSWD|API_?KEY|ACCESS_?KEY|PRIVATE_?KEY|CREDENTIAL",
    re.IGNORECASE,
)
MIN_SECRET_LENGTH = 6  # shorter values would mask ordinary words
# Tokens recognisable by their shape, whatever variable (or file) they came from.
TOKEN_SHAPES = re.compile(
    r"(?<![A-Za-z0-9_])(?:"
    r"gh[pousr]_[A-Za-z0-9]{30,}"  # GitHub: personal, OAuth, user-to-server, server, refresh
    r"|github_pat_[A-Za-z0-9_]{30,}"  # GitHub fine-grained personal access token
    r"|gl(?:pat|dt|ptt|rt|oas|cbt|imt|agent|ft|soat)-[A-Za-z0-9_-]{20,}"  # GitLab tokens
    r"|(?:AKIA|ASIA)[A-Z0-9]{16}"  # AWS access key ids
    r"|xox[abposr]-[A-Za-z0-9-]{10,}"  # Slack
    r"|hf_[A-Za-z0-9]{30,}"  # Hugging Face
    r"|sk-(?:proj-)?[A-Za-z0-9_-]{32,}"  # OpenAI-style API keys
    r")(?![A-Za-z0-9_])"
)
# Command-line flags whose value is a secret: --hf-token X, --password=X, --api-key X.
SECRET_FLAG = re.compile(
    r"^--?[\w.-]*(?:token|secret|password|passwd|api[-_]?key|access[-_]?key|private[-_]?key|"
    r"credential)[\w.-]*$",
    re.IGNORECASE,
)


# Secrets in variables whose name does not say so, and URLs whose user info is one.
SECRET_VARIABLES = ("MLFLOW_TRACKING_USERNAME",)
URL_VARIABLES = ("MLFLOW_TRACKING_URI",)


def secret_names(environ: Mapping[str, str]) -> list[str]:
    """Names of the variables in *environ* that hold secrets (long enough to mask)."""
    return [k for k, v in environ.items() if SECRET_NAME.search(k) and len(v) >= MIN_SECRET_LENGTH]


def secrets_of(environ: Mapping[str, str], args: Sequence[str] = ()) -> list[str]:
    """The secrets of one invocation: secret-named variables, and ``--token`` values."""
    values = [environ[name] for name in secret_names(environ)]
    values += [environ[name] for name in SECRET_VARIABLES if environ.get(name)]
    for name in URL_VARIABLES:
        user_info = urlsplit(environ.get(name, "")).netloc.rpartition("@")[0]
        values += [form for part in user_info.split(":") if part for form in (part, unquote(part))]
    for index, arg in enumerate(args):
        if arg == "--token" and index + 1 < len(args):
            values.append(args[index + 1])
        elif arg.startswith("--token="):
            values.append(arg.split("=", 1)[1])
    return values


class Redactor:
    """Masks a set of secrets (and token-shaped text) as ``***``."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self.secrets: list[str] = []
        self._bytes: list[bytes] = []
        self.add(*secrets)

    def add(self, *secrets: str) -> None:
        """Mask *secrets* too (e.g. a runner's just-in-time configuration, once made)."""
        forms = set(self.secrets)
        for secret in secrets:
            if len(secret) >= MIN_SECRET_LENGTH:
                # as written, URL-quoted (in a link) and JSON-escaped (in report.json)
                forms |= {secret, quote(secret, safe=""), json.dumps(secret)[1:-1]}
        self.secrets = sorted(forms, key=len, reverse=True)  # a longer one first
        self._bytes = [s.encode("utf-8", "surrogateescape") for s in self.secrets]

    @property
    def longest(self) -> int:
        """Bytes in the longest secret (what a stream must hold back to mask it whole)."""
        return max((len(b) for b in self._bytes), default=0)

    def text(self, value: str) -> str:
        for secret in self.secrets:
            if secret in value:
                value = value.replace(secret, MASK)
        return TOKEN_SHAPES.sub(MASK, value)

    def bytes(self, value: bytes) -> bytes:
        for secret in self._bytes:
            if secret in value:
                value = value.replace(secret, MASK.encode())
        if TOKEN_SHAPES.search(value.decode("latin-1")):
            value = TOKEN_SHAPES.sub(MASK, value.decode("latin-1")).encode("latin-1")
        return value

    def data(self, value: Any) -> Any:
        """A copy of JSON-like *value* with every string (keys too) redacted."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, dict):
            return {self.data(k): self.data(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [self.data(v) for v in value]
        return value

    def argv(self, argv: Sequence[str]) -> list[str]:
        """A command line as it may be shown: secrets masked, and so is the value of a
        secret-named flag (``--hf-token X``, ``--password=X``)."""
        out: list[str] = []
        hide_next = False
        for arg in argv:
            flag, eq, _ = arg.partition("=")
            if hide_next:
                out.append(MASK)
            elif eq and SECRET_FLAG.match(flag):
                out.append(f"{flag}={MASK}")
            else:
                out.append(self.text(arg))
            hide_next = not hide_next and not eq and bool(SECRET_FLAG.match(arg))
        return out


_active = [Redactor()]


def current() -> Redactor:
    """The redactor of the invocation under way (masking token shapes only, outside one)."""
    return _active[-1]


@contextmanager
def activate(redactor: Redactor) -> Iterator[Redactor]:
    _active.append(redactor)
    try:
        yield redactor
    finally:
        _active.remove(redactor)
