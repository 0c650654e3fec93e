"""EC2: launch candidates in order, tag everything, find and terminate managed instances.

Every instance mlreport starts carries ``mlreport:managed=true`` and its label, repository,
run and expiry as tags, on the instance and its root volume, set by RunInstances itself (so
an instance never exists untagged, and an IAM policy can require the tags). Instances are
found again by those tags only: ``stop`` and ``cleanup`` never touch anything else.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from mlreport.errors import MlreportError, RunnerError
from mlreport.platforms.base import translated
from mlreport.runners.aws import CAPACITY_ERRORS, Aws, error_code, explain

TAG_MANAGED = "mlreport:managed"
TAG_LABEL = "mlreport:label"
TAG_REPO = "mlreport:repo"
TAG_RUN_ID = "mlreport:run-id"
TAG_EXPIRES = "mlreport:expires-at"
# The AWS Deep Learning Base GPU AMI (NVIDIA driver, CUDA, Docker + NVIDIA container toolkit)
DLAMI_PARAMETER = (
    "/aws/service/deeplearning/ami/x86_64/base-oss-nvidia-driver-gpu-ubuntu-22.04/latest/ami-id"
)
LIVE_STATES = ("pending", "running", "stopping", "stopped")
GONE_STATES = ("shutting-down", "terminated")
_RETRYABLE = frozenset(
    {"RequestLimitExceeded", "InternalError", "Unavailable", "ServiceUnavailable"}
)
RETRIES = 4


@dataclass(frozen=True)
class Candidate:
    instance_type: str
    subnet_id: str | None
    spot: bool

    @property
    def market(self) -> str:
        return "spot" if self.spot else "on-demand"

    def describe(self) -> str:
        where = f" in {self.subnet_id}" if self.subnet_id else ""
        return f"{self.instance_type} {self.market}{where}"


def candidates(types: Sequence[str], subnets: Sequence[str], spot: bool) -> list[Candidate]:
    """Spot first (when asked), then on-demand; in each, every type in order, each in every
    subnet in order: the preferred type is tried in all zones before the next type."""
    markets = (True, False) if spot else (False,)
    zones: Sequence[str | None] = list(subnets) or [None]
    return [Candidate(t, s, m) for m in markets for t in types for s in zones]


@dataclass(frozen=True)
class LaunchSpec:
    image_id: str
    user_data: str
    tags: dict[str, str]
    security_groups: tuple[str, ...] = ()
    volume_size: int | None = None  # GiB; None keeps the AMI's size


@dataclass(frozen=True)
class Instance:
    id: str
    state: str
    instance_type: str
    market: str
    subnet_id: str
    zone: str
    launched: datetime | None
    tags: dict[str, str] = field(default_factory=dict)
    reason: str = ""

    @property
    def label(self) -> str:
        return self.tags.get(TAG_LABEL, "")

    @property
    def reclaimed(self) -> bool:
        """A spot instance that EC2 took back (its state reason says so)."""
        return self.state in GONE_STATES and "Server.SpotInstanceTermination" in self.reason

    @property
    def expires_at(self) -> datetime | None:
        return parse_time(self.tags.get(TAG_EXPIRES, ""))


def parse_time(text: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def _errors(doing: str, region: str) -> AbstractContextManager[None]:
    return translated(explain, doing, f"EC2 {region}")


def default_ami(aws: Aws, parameter: str = DLAMI_PARAMETER) -> str:
    from botocore.exceptions import ClientError

    try:
        answer = aws.ssm.get_parameter(Name=parameter)
    except ClientError as exc:
        if error_code(exc) in ("ParameterNotFound", "ValidationException"):
            raise RunnerError(
                f"no Deep Learning AMI in {aws.region}: the SSM parameter {parameter} is not there",
                "pass --ami ami-… (an AMI with the NVIDIA driver)",
            ) from None
        raise explain(exc, "looking up the Deep Learning AMI", aws.region) from exc
    except Exception as exc:
        raise explain(exc, "looking up the Deep Learning AMI", aws.region) from exc
    return str(answer["Parameter"]["Value"])


@dataclass(frozen=True)
class Root:
    device: str
    size: int | None  # GiB, as the AMI has it


def root_device(aws: Aws, image_id: str) -> Root:
    with _errors(f"reading AMI {image_id}", aws.region):
        images = aws.ec2.describe_images(ImageIds=[image_id]).get("Images", [])
    if not images:
        raise RunnerError(f"AMI {image_id} does not exist in {aws.region}", "check --ami")
    device = str(images[0].get("RootDeviceName") or "/dev/sda1")
    for mapping in images[0].get("BlockDeviceMappings", []):
        if mapping.get("DeviceName") == device and mapping.get("Ebs", {}).get("VolumeSize"):
            return Root(device, int(mapping["Ebs"]["VolumeSize"]))
    return Root(device, None)


def request(spec: LaunchSpec, candidate: Candidate, root: Root, token: str) -> dict[str, Any]:
    """The RunInstances parameters for one candidate."""
    tags = [{"Key": k, "Value": v} for k, v in spec.tags.items()]
    size = spec.volume_size or root.size
    params: dict[str, Any] = {
        "ImageId": spec.image_id,
        "InstanceType": candidate.instance_type,
        "MinCount": 1,
        "MaxCount": 1,
        "UserData": spec.user_data,
        "InstanceInitiatedShutdownBehavior": "terminate",
        "MetadataOptions": {
            "HttpTokens": "required",
            "HttpEndpoint": "enabled",
            "HttpPutResponseHopLimit": 1,
        },
        "TagSpecifications": [
            {"ResourceType": "instance", "Tags": tags},
            {"ResourceType": "volume", "Tags": tags},
        ],
        "ClientToken": token,  # a retried request never starts a second instance
    }
    if size:  # the root volume goes with the instance (else the AMI's own setting stays)
        ebs = {"DeleteOnTermination": True, "VolumeType": "gp3", "VolumeSize": size}
        params["BlockDeviceMappings"] = [{"DeviceName": root.device, "Ebs": ebs}]
    if candidate.subnet_id:
        params["SubnetId"] = candidate.subnet_id
    if spec.security_groups:
        params["SecurityGroupIds"] = list(spec.security_groups)
    if candidate.spot:
        params["InstanceMarketOptions"] = {
            "MarketType": "spot",
            "SpotOptions": {
                "SpotInstanceType": "one-time",
                "InstanceInterruptionBehavior": "terminate",
            },
        }
    return params


def launch(
    aws: Aws,
    spec: LaunchSpec,
    choices: Sequence[Candidate],
    say: Callable[[str], None],
    started: Callable[[Instance, Candidate], None],
    guard: Callable[[], AbstractContextManager[None]] = nullcontext,
    sleep: Callable[[float], None] = time.sleep,
) -> tuple[Instance, Candidate]:
    """Start one instance: the first candidate with capacity wins. Capacity errors move on
    to the next candidate; throttling and AWS's own 5xx are retried (same client token, so
    never twice started); anything else stops here. Each RunInstances call and *started*
    (which records the new instance) run inside *guard*, which raises a cancellation that
    came meanwhile only once the instance is recorded."""
    from botocore.exceptions import ClientError

    root = root_device(aws, spec.image_id)
    misses: list[str] = []
    for candidate in choices:
        params = request(spec, candidate, root, uuid.uuid4().hex)
        for attempt in range(RETRIES + 1):
            try:
                with guard():
                    answer = aws.launcher.run_instances(**params)
                    instance = _instance(answer["Instances"][0])
                    started(instance, candidate)
                return instance, candidate
            except ClientError as exc:
                code = error_code(exc)
                if code in _RETRYABLE and attempt < RETRIES:
                    sleep(min(2.0**attempt, 10.0))
                    continue
                if code in CAPACITY_ERRORS:
                    say(f"mlreport: no {candidate.describe()}: {code}; trying the next choice")
                    misses.append(f"{candidate.describe()} ({code})")
                    break
                raise explain(exc, f"starting {candidate.describe()}", aws.region) from exc
            except MlreportError:
                raise
            except Exception as exc:
                raise explain(exc, f"starting {candidate.describe()}", aws.region) from exc
    raise RunnerError(
        f"no capacity for any choice: {', '.join(misses)}",
        "add --instance-type or --subnet choices (other zones), allow on-demand, or retry later",
    )


def _instance(data: dict[str, Any]) -> Instance:
    tags = {t["Key"]: t["Value"] for t in data.get("Tags", [])}
    launched = data.get("LaunchTime")
    return Instance(
        id=data["InstanceId"],
        state=data.get("State", {}).get("Name", ""),
        instance_type=data.get("InstanceType", ""),
        market="spot" if data.get("InstanceLifecycle") == "spot" else "on-demand",
        subnet_id=data.get("SubnetId", ""),
        zone=data.get("Placement", {}).get("AvailabilityZone", ""),
        launched=launched if isinstance(launched, datetime) else None,
        tags=tags,
        reason=data.get("StateReason", {}).get("Message", ""),
    )


def find(
    aws: Aws,
    *,
    label: str | None = None,
    repo: str | None = None,
    ids: Sequence[str] = (),
    states: Sequence[str] = LIVE_STATES,
) -> list[Instance]:
    """Managed instances (tag mlreport:managed=true) matching every filter given."""
    filters = [
        {"Name": f"tag:{TAG_MANAGED}", "Values": ["true"]},
        {"Name": "instance-state-name", "Values": list(states)},
    ]
    if label:
        filters.append({"Name": f"tag:{TAG_LABEL}", "Values": [label]})
    if repo:
        filters.append({"Name": f"tag:{TAG_REPO}", "Values": [repo]})
    with _errors("listing mlreport instances", aws.region):
        return list(_pages(aws, filters, ids))


def _pages(aws: Aws, filters: list[dict[str, Any]], ids: Sequence[str]) -> Iterator[Instance]:
    kwargs: dict[str, Any] = {"Filters": filters}
    if ids:
        kwargs["InstanceIds"] = list(ids)
    for page in aws.ec2.get_paginator("describe_instances").paginate(**kwargs):
        for reservation in page.get("Reservations", []):
            for data in reservation.get("Instances", []):
                yield _instance(data)


def describe(aws: Aws, instance_id: str) -> Instance | None:
    """Any instance by id (managed or not); None when EC2 does not know it."""
    from botocore.exceptions import ClientError

    try:
        pages = list(_pages(aws, [], [instance_id]))
    except ClientError as exc:
        if error_code(exc) in ("InvalidInstanceID.NotFound", "InvalidInstanceID.Malformed"):
            return None
        raise explain(exc, f"reading instance {instance_id}", aws.region) from exc
    except Exception as exc:
        raise explain(exc, f"reading instance {instance_id}", aws.region) from exc
    return pages[0] if pages else None


def terminate(aws: Aws, ids: Sequence[str]) -> None:
    """Terminate *ids*; an instance already gone is not an error."""
    from botocore.exceptions import ClientError

    if not ids:
        return
    try:
        aws.ec2.terminate_instances(InstanceIds=list(ids))
    except ClientError as exc:
        if error_code(exc) != "InvalidInstanceID.NotFound":
            raise explain(exc, f"terminating {', '.join(ids)}", aws.region) from exc
        for one in ids:  # one unknown id fails the whole call: do the others one by one
            if len(ids) > 1:
                terminate(aws, [one])
    except Exception as exc:
        raise explain(exc, f"terminating {', '.join(ids)}", aws.region) from exc
