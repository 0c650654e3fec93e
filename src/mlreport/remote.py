"""Files named by URL — ``s3://bucket/key``, ``gs://bucket/key`` (through fsspec: the extras
``[s3]`` with s3fs and ``[gcs]`` with gcsfs) and ``https://`` / ``http://`` (requests) — for
every file option. Each is fetched once, whole, into a temporary folder removed at exit, so
that every reader reads a local file (its name kept: the extension says its format); errors
and the report name the URL. Credentials come from the usual chains (AWS: environment,
profile, instance role; Google: application default credentials); a URL's query string, which
may hold a signature, is never shown.

Errors are one line: no such bucket or key, or HTTP 404 — an input error (exit 2), as a
missing local file is; access denied or no credentials — exit 2 too (the user fixes them);
the store unreachable or timing out — a platform error (exit 3).
"""

from __future__ import annotations

import atexit
import itertools
import os
import re
import shutil
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

from mlreport.errors import SHOWN_AS, InputError, PlatformError, UsageError

_URL = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://")
EXTRAS = {"s3": "s3", "s3a": "s3", "gs": "gcs", "gcs": "gcs"}
HTTP = ("http", "https")
TIMEOUT = 120.0  # seconds without a byte; MLREPORT_REMOTE_TIMEOUT sets it
_FETCHED: dict[str, Path] = {}
_COUNT = itertools.count()
_FOLDER: list[Path] = []


def scheme(spec: str) -> str | None:
    """The URL scheme of *spec* (``s3``, ``https``…), or None for a path or a git ref."""
    match = _URL.match(spec)
    return match.group(1).lower() if match else None


def is_remote(spec: object) -> bool:
    return isinstance(spec, str) and scheme(spec) is not None


def shown(url: str) -> str:
    """*url* as messages show it: without its query string (a signature, a token)."""
    parts = urlsplit(url)
    return parts._replace(query="", fragment="").geturl()


def fetch(url: str, what: str = "file") -> Path:
    """A local copy of the file at *url* (fetched on first use)."""
    if url in _FETCHED:
        return _FETCHED[url]
    kind = scheme(url) or ""
    name = Path(urlsplit(url).path).name
    if not name:
        raise UsageError(f"{shown(url)}: names no file", f"give the URL of the {what} file")
    if not _FOLDER:
        _FOLDER.append(Path(tempfile.mkdtemp(prefix="mlreport-remote-")))
        atexit.register(shutil.rmtree, _FOLDER[0], True)
    local = _FOLDER[0] / str(next(_COUNT)) / name
    local.parent.mkdir(parents=True)
    if kind in HTTP:
        _http(url, local, what)
    elif kind in EXTRAS:
        _fsspec(url, kind, local, what)
    else:
        raise UsageError(
            f"{shown(url)}: unknown scheme '{kind}://'",
            "use a path, s3://, gs:// or https://",
        )
    _FETCHED[url] = local
    SHOWN_AS[str(local)] = shown(url)
    return local


def _http(url: str, local: Path, what: str) -> None:
    import requests

    try:
        with requests.get(url, stream=True, timeout=_timeout()) as answer:
            if answer.status_code in (401, 403):
                raise InputError(
                    shown(url), f"access denied (HTTP {answer.status_code})", "check the URL"
                )
            if answer.status_code >= 400:
                raise InputError(shown(url), f"{what} not found (HTTP {answer.status_code})")
            with local.open("wb") as out:
                for chunk in answer.iter_content(1 << 20):
                    out.write(chunk)
    except requests.Timeout:
        raise PlatformError(f"{shown(url)}: timed out", "retry, or check the server") from None
    except requests.RequestException as exc:
        reason = type(exc).__name__
        raise PlatformError(f"{shown(url)}: cannot be reached ({reason})") from None


def _timeout() -> float:
    try:
        seconds = float(os.environ.get("MLREPORT_REMOTE_TIMEOUT", TIMEOUT))
    except ValueError:
        raise UsageError(
            "MLREPORT_REMOTE_TIMEOUT: not a number of seconds", "e.g. MLREPORT_REMOTE_TIMEOUT=60"
        ) from None
    return seconds if seconds > 0 else TIMEOUT


def _fsspec(url: str, kind: str, local: Path, what: str) -> None:
    extra = EXTRAS[kind]
    try:
        import fsspec

        filesystem = fsspec.filesystem(kind)
    except ImportError:
        raise UsageError(
            f"{shown(url)}: {kind}:// needs the [{extra}] extra",
            f"pip install 'mlreport[{extra}]'",
        ) from None
    try:
        filesystem.get_file(url, str(local))
    except FileNotFoundError:
        raise InputError(shown(url), f"{what} not found (no such bucket or key)") from None
    except PermissionError:
        raise InputError(
            shown(url), "access denied", "check the credentials and their permissions"
        ) from None
    except Exception as exc:  # the stores' own exceptions: botocore's, google-auth's…
        raise _translated(url, exc) from None


def _translated(url: str, exc: Exception) -> Exception:
    name = type(exc).__name__
    text = str(exc)
    if "NoCredentials" in name or "credentials" in text.lower():
        return InputError(
            shown(url),
            "no credentials found",
            "set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY (or a profile, a role); for gs://, "
            "GOOGLE_APPLICATION_CREDENTIALS",
        )
    if "Timeout" in name or "timed out" in text.lower():
        return PlatformError(f"{shown(url)}: timed out", "retry, or check the endpoint")
    if "Connect" in name or "Endpoint" in name:
        return PlatformError(f"{shown(url)}: cannot be reached ({name})", "check the endpoint")
    return PlatformError(f"{shown(url)}: cannot be read ({name})")
