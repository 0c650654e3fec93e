"""boto3 (an optional extra, imported only here) and AWS errors as one line.

Where AWS is, and who calls it, comes from the standard environment: ``AWS_REGION``,
credentials (``AWS_ACCESS_KEY_ID``…, a profile, or OIDC through
aws-actions/configure-aws-credentials) and ``AWS_ENDPOINT_URL`` (e.g. LocalStack).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import Any

from mlreport import __version__
from mlreport.errors import PlatformError, RunnerError, UsageError

# RunInstances errors that mean "not here, not now": mlreport moves to the next candidate.
CAPACITY_ERRORS = frozenset(
    {
        "InsufficientInstanceCapacity",
        "Unsupported",
        "SpotMaxPriceTooLow",
        "MaxSpotInstanceCountExceeded",
    }
)
IAM_HINT = "grant the IAM policy in the README's GPU section"


@dataclass(frozen=True)
class Aws:
    region: str
    ec2: Any  # every call but RunInstances: botocore's standard retries
    launcher: Any  # RunInstances only: one attempt, mlreport decides what is worth retrying
    ssm: Any


def connect(region: str | None = None) -> Aws:
    try:
        import boto3
        from botocore.config import Config
    except ImportError:
        raise UsageError(
            "mlreport runner needs boto3, which is an optional extra",
            "pip install 'mlreport[aws]'",
        ) from None
    from botocore.exceptions import BotoCoreError

    try:
        return _connect(boto3, Config, region)
    except (BotoCoreError, ValueError) as exc:  # a missing profile, a bad region or endpoint
        raise UsageError(f"cannot use the AWS settings: {exc}") from exc


def _connect(boto3: Any, Config: Any, region: str | None) -> Aws:
    # AWS_REGION is what the AWS CLI and aws-actions/configure-aws-credentials set; boto3
    # reads only AWS_DEFAULT_REGION
    region = region or os.environ.get("AWS_REGION") or None
    session = boto3.session.Session(region_name=region)
    if not session.region_name:
        raise UsageError("no AWS region", "set AWS_REGION or pass --region")
    config = Config(
        retries={"mode": "standard", "max_attempts": 5},
        connect_timeout=10,
        read_timeout=60,
        user_agent_extra=f"mlreport/{__version__}",
    )
    once = config.merge(Config(retries={"mode": "standard", "total_max_attempts": 1}))
    return Aws(
        session.region_name,
        session.client("ec2", config=config),
        session.client("ec2", config=once),
        session.client("ssm", config=config),
    )


def error_code(exc: BaseException) -> str:
    response = getattr(exc, "response", None)
    if isinstance(response, dict):
        return str(response.get("Error", {}).get("Code", ""))
    return ""


def explain(exc: BaseException, doing: str, where: str) -> PlatformError:
    """A botocore exception as one line saying what to fix (never with credentials)."""
    from botocore import exceptions as bx

    if isinstance(exc, bx.NoCredentialsError | bx.PartialCredentialsError):
        return RunnerError(
            f"{doing}: no AWS credentials",
            "set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or use "
            "aws-actions/configure-aws-credentials (OIDC) before this step",
        )
    if isinstance(exc, bx.EndpointConnectionError | bx.ConnectTimeoutError):
        return RunnerError(f"{doing}: cannot reach AWS ({where})", "check the network, run again")
    if isinstance(exc, bx.ClientError):
        code = error_code(exc)
        message = _message(exc)
        if code in ("AuthFailure", "UnrecognizedClientException", "InvalidClientTokenId"):
            return RunnerError(
                f"{doing}: AWS rejected the credentials ({code})",
                "check AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or the role",
            )
        if code in ("UnauthorizedOperation", "AccessDeniedException", "AccessDenied"):
            return RunnerError(f"{doing}: AWS refused ({code}: {message})", IAM_HINT)
        return RunnerError(f"{doing}: AWS answered {code}: {message}".rstrip(": "))
    if isinstance(exc, bx.BotoCoreError):
        return RunnerError(f"{doing}: {exc}")
    return RunnerError(f"{doing}: {type(exc).__name__}: {exc}")


def _message(exc: BaseException) -> str:
    response = getattr(exc, "response", {})
    message = str(response.get("Error", {}).get("Message", "")) if response else ""
    # UnauthorizedOperation carries a long encoded blob that only `aws sts decode-…` reads
    return re.sub(r"\s*Encoded authorization failure message:.*", "", message, flags=re.S)
