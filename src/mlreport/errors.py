"""The one exception tree of mlreport, and the exit code each branch maps to.

::

    MlreportError                 a failure reported as one line: "mlreport: error: <message>"
    ├── UsageError         (2)    a bad option value, a malformed gate, an unknown metric
    ├── InputError         (2)    a file that is missing, empty, unreadable or of the wrong shape
    │   └── BaselineNotFound (2)  the baseline ref, or a metrics file at it, is not there
    │                             (``--baseline-optional`` turns this one into a warning)
    ├── TemplateError      (2)    a user template that fails, or breaks out of the sandbox
    ├── Reported     (its error's) an error already shown where the user looks (``run``
    │                             writes an input error into the report): not printed again
    └── PlatformError      (3)    a platform (GitHub, GitLab, AWS, MLflow) refused or failed
        ├── PublishError   (3)    publishing failed: token, network, permissions, limits
        │   └── ForkReadOnly (3)  the token is read-only (a pull request from a fork);
        │                         ``--allow-fork-skip`` turns this one into a warning
        ├── RunnerError    (3)    an EC2 runner could not be launched, reached or stopped
        │   └── Cancelled  (3)    SIGTERM/SIGINT (a cancelled job) stopped a launch; the
        │                         instance was terminated first
        └── TrackingError  (3)    an MLflow tracking server could not be reached, failed or
                                  refused the credentials

Exit codes, defined here and nowhere else, and mapped to exceptions in one place (the
handler in :mod:`mlreport.cli`):

- 0 ``EXIT_OK``: everything passed;
- 1 ``EXIT_FAILED``: a gate or sanity check failed, or the command given to ``mlreport run``
  failed (the report is still written; this is an outcome, not an exception);
- 2 ``EXIT_USAGE``: usage or input error;
- 3 ``EXIT_PLATFORM``: platform error (publishing, an EC2 runner, an MLflow server);
- 70 ``EXIT_INTERNAL``: a bug in mlreport (one line; the traceback with ``--debug``);
- 130 ``EXIT_INTERRUPTED``: interrupted (Ctrl-C) outside ``run``, which passes it on.

Messages never contain a token: they are built by mlreport, not echoed from requests.
"""

from __future__ import annotations

__all__ = [
    "EXIT_CODES_HELP",
    "EXIT_FAILED",
    "EXIT_INTERNAL",
    "EXIT_INTERRUPTED",
    "EXIT_OK",
    "EXIT_PLATFORM",
    "EXIT_USAGE",
    "BaselineNotFound",
    "Cancelled",
    "ForkReadOnly",
    "InputError",
    "MlreportError",
    "PlatformError",
    "PublishError",
    "Reported",
    "RunnerError",
    "TemplateError",
    "TrackingError",
    "UsageError",
]

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_PLATFORM = 3
EXIT_INTERNAL = 70
EXIT_INTERRUPTED = 130
# The codes a user meets, as ``mlreport --help`` states them.
EXIT_CODES_HELP = (
    f"Exit codes: {EXIT_OK} ok, {EXIT_FAILED} gate/check/command failed, {EXIT_USAGE} usage or "
    f"input error, {EXIT_PLATFORM} platform error (publishing, EC2 runner, MLflow)."
)


class MlreportError(Exception):
    """Base class: anything mlreport can explain to the user in one line."""

    exit_code = EXIT_USAGE

    def __init__(self, message: str, hint: str | None = None) -> None:
        self.message = message
        self.hint = hint
        super().__init__(str(self))

    def __str__(self) -> str:
        return f"{self.message}; {self.hint}" if self.hint else self.message


class UsageError(MlreportError):
    """An option, gate expression or metric name that cannot be used as given."""


#: Local copies of files named by URL (:mod:`mlreport.remote`) -> the URL: errors name the URL.
SHOWN_AS: dict[str, str] = {}


def shown_as(path: object) -> str:
    """*path* as the user named it: the URL of a fetched file, else the path itself."""
    return SHOWN_AS.get(str(path), str(path))


class InputError(MlreportError):
    """A problem with an input file, always naming the file (by its URL, when fetched)."""

    def __init__(self, path: object, message: str, hint: str | None = None) -> None:
        self.path = shown_as(path)
        super().__init__(f"{self.path}: {message}", hint)


class BaselineNotFound(InputError):
    """The baseline git ref, or a metrics file at that ref, does not exist."""


class TemplateError(MlreportError):
    """A report template that cannot be compiled or rendered."""


class PlatformError(MlreportError):
    """A platform's API refused a request or could not be reached."""

    exit_code = EXIT_PLATFORM


class PublishError(PlatformError):
    """Posting the report to a platform failed."""


class ForkReadOnly(PublishError):
    """The platform refused a write because the token is read-only (a fork's pull request)."""


class RunnerError(PlatformError):
    """Launching, waiting for, stopping or cleaning up an EC2 runner failed."""


class Cancelled(RunnerError):
    """A signal (a cancelled CI job) interrupted a launch."""


class TrackingError(PlatformError):
    """An MLflow tracking server could not be reached, failed, or refused the credentials."""


class Reported(MlreportError):
    """*error*, already shown where the user looks (``run`` puts an input error in the report
    and its outcome lines): the command exits with that error's code, and it is not printed
    again."""

    def __init__(self, error: MlreportError) -> None:
        self.error = error
        self.exit_code = error.exit_code
        super().__init__(error.message, error.hint)
