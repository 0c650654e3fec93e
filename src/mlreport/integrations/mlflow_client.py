"""The MLflow client, as mlreport uses it: imported only here, in :func:`session`
(``mlreport[mlflow]``: mlflow-skinny), for the tracking server MLflow's own variables name --
``MLFLOW_TRACKING_URI``, ``MLFLOW_TRACKING_TOKEN`` or ``MLFLOW_TRACKING_USERNAME`` /
``_PASSWORD`` (masked as secrets, :mod:`mlreport.redact`), ``MLFLOW_HTTP_REQUEST_*`` -- and
its failures as mlreport's errors (:meth:`Client.call`): an answer that there is no such
thing is the caller's error (exit 2); the server unreachable, failing or refusing the
credentials a TrackingError (exit 3).
"""

from __future__ import annotations

import importlib.util
import logging
import os
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlsplit, urlunsplit

from mlreport.errors import MlreportError, TrackingError, UsageError

if TYPE_CHECKING:
    from mlflow.tracking import MlflowClient

T = TypeVar("T")
EXTRA = "pip install 'mlreport[mlflow]'"
# MLflow's own variables, when unset: a server that is down fails in seconds rather than
# after MLflow's 4 minutes of retries; no progress bars among mlreport's output.
DEFAULTS = {
    "MLFLOW_HTTP_REQUEST_MAX_RETRIES": "4",
    "MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR": "1",
    "MLFLOW_HTTP_REQUEST_TIMEOUT": "30",
    "MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR": "false",
}


def require(what: str) -> None:
    if importlib.util.find_spec("mlflow") is None:
        raise UsageError(f"{what} needs the MLflow client, which is not installed", EXTRA)


def shown(uri: str) -> str:
    """*uri* without its user and password (``https://user:pass@host`` -> ``https://host``)."""
    parts = urlsplit(uri)
    if "@" not in parts.netloc:
        return uri
    return urlunsplit(parts._replace(netloc=parts.netloc.rpartition("@")[2]))


class Client:
    """An MlflowClient whose failures become mlreport's errors (:meth:`call`)."""

    def __init__(self, raw: MlflowClient, uri: str, what: str) -> None:
        self.raw, self.uri, self.what = raw, shown(uri), what

    def call(
        self,
        function: Callable[..., T],
        *args: Any,
        missing: MlreportError | None = None,
        **kwargs: Any,
    ) -> T:
        """``function(*args)``; a 4xx answer is *missing* (when given: no such run, model...).
        The artifact stores fail with requests' errors (OSError), the API with MLflow's."""
        from mlflow.exceptions import MlflowException

        try:
            return function(*args, **kwargs)
        except (MlflowException, OSError) as exc:
            raise self.error(exc, missing) from None

    def error(self, exc: Exception, missing: MlreportError | None = None) -> MlreportError:
        status = _status(exc)
        where = f"the MLflow tracking server {self.uri}"
        if status in (401, 403):
            return TrackingError(
                f"{self.what}: {where} refused the credentials (HTTP {status})",
                "check MLFLOW_TRACKING_TOKEN, or MLFLOW_TRACKING_USERNAME and _PASSWORD",
            )
        if missing is not None and 400 <= status < 500 and status != 429:
            return missing
        return TrackingError(
            f"{self.what}: {where} {_failure(str(getattr(exc, 'message', exc)))}",
            "check that it is up and that MLFLOW_TRACKING_URI names it "
            "(MLFLOW_HTTP_REQUEST_MAX_RETRIES sets the retries)",
        )


def _status(exc: Exception) -> int:
    """The HTTP status of a failure: MLflow's own, or that of a requests error's response."""
    if hasattr(exc, "get_http_status_code"):
        return int(exc.get_http_status_code())
    response = getattr(exc, "response", None)
    return int(getattr(response, "status_code", None) or 500)


# "error code 503 != 200", "too many 503 error responses", "503 Server Error: ..."
_CODE = re.compile(r"error code (\d{3})|too many (\d{3}) error responses|^(\d{3}) \w+ Error")


def _failure(message: str) -> str:
    code = _CODE.search(message)
    if code:
        return f"answered HTTP {next(group for group in code.groups() if group)}"
    if "Max retries exceeded" in message or "Failed to establish" in message:
        return "could not be reached"
    line = message.strip().splitlines()[0] if message.strip() else "an unknown error"
    return f"failed: {line[:200]}"


@contextmanager
def session(what: str) -> Iterator[Client]:
    """A client of the tracking server MLflow's variables name, for *what* (an option)."""
    require(what)
    uri = os.environ.get("MLFLOW_TRACKING_URI", "").strip()
    if not uri and not (Path("mlruns").is_dir() or Path("mlflow.db").is_file()):
        raise UsageError(
            f"{what}: MLFLOW_TRACKING_URI is not set",
            "set it to the tracking server's URL (e.g. http://127.0.0.1:5000) or a local "
            "store (sqlite:///mlflow.db)",
        )
    saved = {name: os.environ.get(name) for name in DEFAULTS}
    os.environ.update({k: v for k, v in DEFAULTS.items() if not os.environ.get(k)})
    logger = logging.getLogger("mlflow")
    level = logger.level
    try:
        from mlflow.tracking import MlflowClient, get_tracking_uri

        logger.setLevel(logging.WARNING)  # no INFO lines of MLflow's among mlreport's
        yield Client(MlflowClient(uri or None), uri or get_tracking_uri(), what)
    finally:
        logger.setLevel(level)
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
