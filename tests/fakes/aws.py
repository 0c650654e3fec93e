"""A fake AWS for EC2 and SSM: moto in server mode on 127.0.0.1, behind a small proxy that adds what
moto cannot do (capacity errors, AWS's public SSM parameters) and records what was asked.

    MotoServer   moto's ThreadedMotoServer on an ephemeral port, validating instance types, AMI
                 ids and key names as EC2 does; ``reset()`` empties every backend.
    AwsFaults    an HTTP proxy in front of it: forwards every request unchanged, except the
                 RunInstances calls that match a fault rule (answered with EC2's own error XML) and
                 GetParameter for the public parameters registered with ``public_parameter``.
    AwsBackend   both, once per test session, with boto3 clients that talk to moto directly.
    AwsFake      what the ``aws`` fixture yields: a fresh account for one test, the environment
                 pointing at the proxy (so product code finds "AWS" the standard way), a GPU AMI
                 published as the Deep Learning AMI's public parameter, and assertion helpers.

Error codes, HTTP statuses and messages are the ones EC2 answers (EC2 API reference, "Error codes",
and the messages boto3 users quote in bug reports); botocore retries the 5xx ones
(InsufficientInstanceCapacity is a 500) like any other server error, and every attempt reaches the
proxy, counts against ``times`` and is recorded.
"""

from __future__ import annotations

import base64
import contextlib
import http.client
import json
import logging
import os
import re
import threading
import time
import urllib.request
import uuid
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field, replace
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlsplit
from xml.sax.saxutils import escape

import boto3
import pytest
from botocore.config import Config

from tests.fakes.server import Served, serve_in_background

if TYPE_CHECKING:
    from moto.server import ThreadedMotoServer
    from types_boto3_ec2 import EC2Client
    from types_boto3_ssm import SSMClient

__all__ = [
    "DLAMI_NAME",
    "DLAMI_PARAMETER",
    "AwsBackend",
    "AwsFake",
    "AwsFaults",
    "FakeInstance",
    "MotoServer",
    "RunInstancesFault",
]

REGION = "us-east-1"
ACCESS_KEY = "testing"
DLAMI_PARAMETER = (
    "/aws/service/deeplearning/ami/x86_64/base-oss-nvidia-driver-gpu-ubuntu-22.04/latest/ami-id"
)
DLAMI_NAME = "Deep Learning Base OSS Nvidia Driver GPU AMI (Ubuntu 22.04) 20250101"
MANAGED_TAG = "mlreport:managed"

# moto reads its MOTO_* validation switches into moto.settings when moto is first imported (and
# `bool(os.environ.get(...))` there makes any non-empty value, even "false", true). The server
# runs in this process and looks the attributes up on every call, so setting the attributes is
# what takes effect, whatever the import order. Default AMIs (about 1,300 per region) are left
# out: they make each reset 5-20 times slower, and a test should only find the AMIs it made.
_MOTO_SETTINGS: dict[str, object] = {
    "EC2_ENABLE_INSTANCE_TYPE_VALIDATION": True,  # InvalidInstanceType.NotFound: g4dn.huge
    "ENABLE_AMI_VALIDATION": True,  # InvalidAMIID.NotFound
    "ENABLE_KEYPAIR_VALIDATION": True,  # InvalidKeyPair.NotFound
    "ec2_load_default_amis": lambda: False,
}


class MotoServer(Served):
    """moto's ThreadedMotoServer on 127.0.0.1; the OS picks the port (moto binds port 0 as asked and
    ``get_host_and_port`` tells the real one). A context manager; ``reset()`` empties it."""

    def __init__(self) -> None:
        self._server: ThreadedMotoServer | None = None
        self._saved: dict[str, object] = {}
        self._werkzeug_level = logging.NOTSET

    def start(self) -> MotoServer:
        if self._server is not None:
            return self
        from moto import settings
        from moto.server import ThreadedMotoServer

        for name, value in _MOTO_SETTINGS.items():
            self._saved[name] = getattr(settings, name)
            setattr(settings, name, value)
        # werkzeug logs each request at INFO, to a stderr handler it adds itself when the
        # "werkzeug" logger has no level: keep errors (they reach pytest's log capture), drop those.
        logger = logging.getLogger("werkzeug")
        self._werkzeug_level = logger.level
        logger.setLevel(logging.WARNING)
        self._server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        self._server.start()
        return self

    def stop(self) -> None:
        if self._server is None:
            return
        self._server.stop()  # werkzeug's serve_forever closes the listening socket
        self._server = None
        from moto import settings

        for name, value in self._saved.items():
            setattr(settings, name, value)
        logging.getLogger("werkzeug").setLevel(self._werkzeug_level)

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("MotoServer is not running: use it as a context manager")
        return self._server.get_host_and_port()[1]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def reset(self) -> None:
        """Forget every resource in every account and region (moto's POST /moto-api/reset)."""
        request = urllib.request.Request(f"{self.url}/moto-api/reset", data=b"", method="POST")
        with urllib.request.urlopen(request, timeout=30) as response:
            response.read()


# --- the proxy ------------------------------------------------------------------------------------

_STATUS = {  # EC2's HTTP status for each error code (5xx: botocore retries them)
    "InsufficientInstanceCapacity": 500,
    "InternalError": 500,
    "Unavailable": 503,
    "RequestLimitExceeded": 503,
}
_HOP_BY_HOP = {  # hop-by-hop headers, and Content-Length: the proxy sends its own
    "connection",
    "keep-alive",
    "proxy-connection",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "content-length",
}
_CREDENTIAL_SCOPE = re.compile(r"Credential=[^/,]+/\d{8}/([^/,]+)/([^/,]+)/aws4_request")


@dataclass(frozen=True)
class _Launch:
    """What a RunInstances request asks for, as far as fault rules care."""

    instance_type: str | None
    subnet_id: str | None
    zone: str | None
    market: str
    max_price: str | None


@dataclass
class RunInstancesFault:
    """A rule of ``AwsFaults.fail_run_instances``; ``fired`` counts the requests it answered."""

    code: str
    instance_type: str | None = None
    subnet_id: str | None = None
    zone: str | None = None
    market: str | None = None
    times: int | None = None
    status: int | None = None
    message: str | None = None
    fired: int = 0

    @property
    def active(self) -> bool:
        return self.times is None or self.fired < self.times

    def matches(self, launch: _Launch) -> bool:
        return (
            self.active
            and self.instance_type in (None, launch.instance_type)
            and self.subnet_id in (None, launch.subnet_id)
            and self.zone in (None, launch.zone)
            and self.market in (None, launch.market)
        )


@dataclass(frozen=True)
class _PublicParameter:
    value: str
    version: int
    data_type: str
    modified: float


@dataclass(frozen=True)
class _Answer:
    status: int
    headers: list[tuple[str, str]]
    body: bytes


@dataclass
class _State:
    rules: list[RunInstancesFault] = field(default_factory=list)
    parameters: dict[str, _PublicParameter] = field(default_factory=dict)
    run_instances_calls: list[dict[str, str]] = field(default_factory=list)
    actions: list[str] = field(default_factory=list)
    action_faults: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    delays: dict[str, float] = field(default_factory=dict)
    held: dict[str, int] = field(default_factory=dict)  # delayed requests being held now
    reclaimed: set[str] = field(default_factory=set)  # spot instances EC2 took back


class AwsFaults(Served):
    """An HTTP proxy on 127.0.0.1 in front of *upstream* (the moto server). A context manager.

    Every request is forwarded as it came (method, path, query, headers with Authorization and
    X-Amz-*, body) and moto's answer sent back, except:

    - EC2 RunInstances (query protocol: form fields ``Action=RunInstances``, ``InstanceType``,
      ``SubnetId`` or ``NetworkInterface.1.SubnetId``, ``Placement.AvailabilityZone``,
      ``InstanceMarketOptions.MarketType``) matching a rule of :meth:`fail_run_instances`, or
      asking for an instance type in a zone that does not offer it: EC2 answers Unsupported (400)
      there, moto only checks that the region offers the type;
    - EC2 DescribeInstances of an instance :meth:`reclaim` named: its state reason is EC2's
      for a spot interruption (``Server.SpotInstanceTermination``), which moto cannot produce;
    - SSM GetParameter (JSON protocol, ``X-Amz-Target: AmazonSSM.GetParameter``) for a name
      registered with :meth:`public_parameter`: moto serves only a few of AWS's public parameters
      (Amazon Linux, ECS, regions and services; not the Deep Learning AMIs) and refuses to create
      names under /aws ("No access to reserved parameter name"), as AWS does.

    ``subnet_zones`` returns the subnet id -> Availability Zone map the error messages need, and
    ``offered_zones`` the zones that offer an instance type (None: no check). An AwsFake sets both
    from moto (its subnet ids change at each reset; its offerings are a copy of AWS's).
    """

    def __init__(self, upstream: str) -> None:
        split = urlsplit(upstream)
        self._upstream = (split.hostname or "127.0.0.1", split.port or 80)
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)  # a request is held or let go
        self._state = _State()
        self._server: _ProxyServer | None = None
        self._thread: threading.Thread | None = None
        self.subnet_zones: Callable[[], Mapping[str, str]] = dict
        self.offered_zones: Callable[[str], Collection[str]] | None = None

    # -- lifecycle

    def start(self) -> AwsFaults:
        if self._server is None:
            self._server = _ProxyServer(self)
            self._thread = serve_in_background(self._server, f"AwsFaults:{self.port}")
        return self

    def stop(self) -> None:
        server, thread = self._server, self._thread
        if server is None or thread is None:
            return
        server.shutdown()
        thread.join()
        server.server_close()
        self._server = self._thread = None

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("AwsFaults is not running: use it as a context manager")
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    # -- configuration

    def clear(self) -> None:
        """Forget rules, public parameters and records."""
        with self._lock:
            self._state = _State()
        self.subnet_zones = dict
        self.offered_zones = None

    def reclaim(self, instance_id: str) -> None:
        """Describe the (terminated) *instance_id* as a spot instance EC2 reclaimed."""
        with self._lock:
            self._state.reclaimed.add(instance_id)

    def fail_action(self, action: str, code: str, *, times: int = 1) -> None:
        """Answer the next *times* EC2 *action* requests (e.g. "DescribeInstances") with error
        *code*, e.g. InvalidInstanceID.NotFound: EC2 is eventually consistent, and an instance
        RunInstances just returned can be unknown to DescribeInstances for a while."""
        with self._lock:
            self._state.action_faults.setdefault(action, []).append((code, times))

    def delay_action(self, action: str, seconds: float) -> None:
        """Answer every EC2 *action* request *seconds* late (a slow API call in progress)."""
        with self._lock:
            self._state.delays[action] = seconds

    def fail_run_instances(
        self,
        code: str,
        *,
        instance_type: str | None = None,
        subnet_id: str | None = None,
        zone: str | None = None,
        market: str | None = None,
        times: int | None = None,
        status: int | None = None,
        message: str | None = None,
    ) -> RunInstancesFault:
        """Answer the RunInstances requests that match (every given filter; *market* is "spot" or
        "on-demand", *zone* the subnet's or the placement's Availability Zone) with EC2 error
        *code*, *times* times (None: always), instead of launching anything. Rules are tried in the
        order they were added; the first active match answers.

        Statuses and messages copy EC2's: InsufficientInstanceCapacity 500 ("We currently do not
        have sufficient g4dn.xlarge capacity in the Availability Zone you requested (us-east-1a).
        ..." naming the other zones no such rule blocks; for spot, "There is no Spot capacity
        available that matches your request."), Unsupported 400 (type not offered in the zone),
        SpotMaxPriceTooLow 400, MaxSpotInstanceCountExceeded 400, VcpuLimitExceeded 400 (the
        quota of a new account for G and P instances is 0 vCPUs), RequestLimitExceeded 503,
        InternalError 500, Unavailable 503; any other code: 400 and a generic message.
        """
        rule = RunInstancesFault(
            code, instance_type, subnet_id, zone, market, times, status, message
        )
        with self._lock:
            self._state.rules.append(rule)
        return rule

    def public_parameter(
        self, name: str, value: str, *, version: int = 1, data_type: str = "text"
    ) -> None:
        """Serve *name* to GetParameter as AWS serves its public parameters (ARN without account,
        Type String; the DataType of AWS's public AMI parameters is "text")."""
        with self._lock:
            self._state.parameters[name] = _PublicParameter(value, version, data_type, time.time())

    # -- records

    @property
    def run_instances_calls(self) -> list[dict[str, str]]:
        """The form fields of every RunInstances request received (retries included), in order."""
        with self._lock:
            return [dict(call) for call in self._state.run_instances_calls]

    @property
    def actions(self) -> list[str]:
        """ "service:Action" of every request received, in order (e.g. "ec2:RunInstances")."""
        with self._lock:
            return list(self._state.actions)

    # -- serving

    def _handle(
        self, method: str, target: str, headers: list[tuple[str, str]], body: bytes
    ) -> _Answer:
        lower = {name.lower(): value for name, value in headers}
        region, service = _scope(lower.get("authorization", ""))
        answer: _Answer | None = None
        if lower.get("content-type", "").startswith("application/x-www-form-urlencoded"):
            form = dict(parse_qsl(body.decode(), keep_blank_values=True))
            action = form.get("Action", "?")
            self._record(f"{service}:{action}")
            answer = self._action_fault(action)
            if action == "RunInstances" and answer is None:
                answer = self._run_instances(form)
            if action == "DescribeInstances" and answer is None and self._state.reclaimed:
                answer = _reclaimed(self._forward(method, target, headers, body), self._state)
        elif "x-amz-target" in lower:
            action = lower["x-amz-target"].rpartition(".")[2]
            self._record(f"{service}:{action}")
            if lower["x-amz-target"] == "AmazonSSM.GetParameter":
                answer = self._get_parameter(body, region)
        else:
            self._record(f"{service}:{method} {urlsplit(target).path}")
        return answer or self._forward(method, target, headers, body)

    def wait_held(self, action: str, timeout: float = 30.0) -> None:
        """Return once an EC2 *action* request is being held by :meth:`delay_action` (the
        client is waiting for its answer right now); AssertionError after *timeout*."""
        with self._changed:
            if not self._changed.wait_for(lambda: self._state.held.get(action, 0) > 0, timeout):
                raise AssertionError(f"no {action} request arrived within {timeout:g} s")

    def _action_fault(self, action: str) -> _Answer | None:
        with self._lock:
            delay = self._state.delays.get(action, 0.0)
            state = self._state
            if delay:
                state.held[action] = state.held.get(action, 0) + 1
                self._changed.notify_all()
        time.sleep(delay)
        with self._lock:
            if delay:
                state.held[action] -= 1
                self._changed.notify_all()
            queue = self._state.action_faults.get(action)
            if not queue:
                return None
            code, left = queue[0]
            queue[0] = (code, left - 1)
            if left <= 1:
                queue.pop(0)
        return _ec2_error(_STATUS.get(code, 400), code, f"fault injected: {code}")

    def _record(self, action: str) -> None:
        with self._lock:
            self._state.actions.append(action)

    def _run_instances(self, form: dict[str, str]) -> _Answer | None:
        with self._lock:
            self._state.run_instances_calls.append(form)
            if not self._state.rules and self.offered_zones is None:
                return None
        zones = self.subnet_zones()
        subnet = form.get("SubnetId") or form.get("NetworkInterface.1.SubnetId")
        launch = _Launch(
            instance_type=form.get("InstanceType"),
            subnet_id=subnet,
            zone=form.get("Placement.AvailabilityZone") or zones.get(subnet or ""),
            market=form.get("InstanceMarketOptions.MarketType", "on-demand"),
            max_price=form.get("InstanceMarketOptions.SpotOptions.MaxPrice"),
        )
        offered = set(zones.values())
        if self.offered_zones is not None and launch.instance_type is not None:
            # a type no zone offers is not a type at all: moto answers InvalidInstanceType
            offered &= set(self.offered_zones(launch.instance_type)) or offered
        with self._lock:
            rule = next((r for r in self._state.rules if r.matches(launch)), None)
            if rule is not None:
                rule.fired += 1
                code, status, message = rule.code, rule.status, rule.message
            elif self.offered_zones is not None and launch.zone in set(zones.values()) - offered:
                code, status, message = "Unsupported", None, None  # EC2's answer; moto launches
            else:  # no zone asked for (EC2 picks one), or an unknown one (moto says so)
                return None
            others = sorted(
                z for z in offered - {launch.zone} if not self._blocked(code, launch, z, zones)
            )
        status = status or _STATUS.get(code, 400)
        return _ec2_error(status, code, message or _message(code, launch, others))

    def _blocked(self, code: str, launch: _Launch, zone: str, zones: Mapping[str, str]) -> bool:
        """Whether a rule for *code* would also answer this launch in *zone* (lock held)."""
        subnets: list[str | None] = [s for s, z in zones.items() if z == zone] or [None]
        return any(
            r.code == code and r.matches(replace(launch, zone=zone, subnet_id=s))
            for r in self._state.rules
            for s in subnets
        )

    def _get_parameter(self, body: bytes, region: str) -> _Answer | None:
        try:
            name = json.loads(body).get("Name", "")
        except (ValueError, AttributeError):
            return None
        with self._lock:
            param = self._state.parameters.get(name)
        if param is None:
            return None
        data = {
            "Parameter": {
                "Name": name,
                "Type": "String",
                "Value": param.value,
                "Version": param.version,
                "LastModifiedDate": param.modified,
                "ARN": f"arn:aws:ssm:{region}::parameter{name}",
                "DataType": param.data_type,
            }
        }
        headers = [
            ("x-amzn-RequestId", str(uuid.uuid4())),
            ("Content-Type", "application/x-amz-json-1.1"),
            ("Date", formatdate(usegmt=True)),
        ]
        return _Answer(200, headers, json.dumps(data).encode())

    def _forward(
        self, method: str, target: str, headers: list[tuple[str, str]], body: bytes
    ) -> _Answer:
        conn = http.client.HTTPConnection(*self._upstream, timeout=60)
        try:
            conn.putrequest(method, target, skip_host=True, skip_accept_encoding=True)
            for name, value in headers:
                if name.lower() not in _HOP_BY_HOP:
                    conn.putheader(name, value)
            if body or method in ("POST", "PUT", "PATCH"):
                conn.putheader("Content-Length", str(len(body)))
            conn.endheaders(body or None)
            with conn.getresponse() as response:
                data = response.read()
                kept = [(k, v) for k, v in response.getheaders() if k.lower() not in _HOP_BY_HOP]
                return _Answer(response.status, kept, data)
        finally:
            conn.close()


def _scope(authorization: str) -> tuple[str, str]:
    """(region, service) of a SigV4 Authorization header's credential scope."""
    match = _CREDENTIAL_SCOPE.search(authorization)
    return (match.group(1), match.group(2)) if match else (REGION, "?")


def _message(code: str, launch: _Launch, others: list[str]) -> str:
    itype = launch.instance_type or "m1.small"  # EC2's default instance type
    choosing = f" or choosing {', '.join(others)}." if others else "."
    if code == "InsufficientInstanceCapacity":
        if launch.market == "spot":
            return "There is no Spot capacity available that matches your request."
        if launch.zone is None:
            return "Insufficient capacity."
        return (
            f"We currently do not have sufficient {itype} capacity in the Availability Zone you "
            f"requested ({launch.zone}). Our system will be working on provisioning additional "
            f"capacity. You can currently get {itype} capacity by not specifying an Availability "
            f"Zone in your request" + choosing
        )
    if code == "Unsupported":
        return (
            f"Your requested instance type ({itype}) is not supported in your requested "
            f"Availability Zone ({launch.zone or REGION + 'a'}). Please retry your request by not "
            f"specifying an Availability Zone" + choosing
        )
    if code == "SpotMaxPriceTooLow":
        price = launch.max_price or "0.0"
        minimum = max(float(price) * 2, 0.526)
        return (
            f"Your Spot request price of {price} is lower than the minimum required Spot request "
            f"fulfillment price of {minimum:g}."
        )
    messages = {
        "MaxSpotInstanceCountExceeded": "Max spot instance count exceeded",
        "VcpuLimitExceeded": (
            "You have requested more vCPU capacity than your current vCPU limit of 0 allows for "
            "the instance bucket that the specified instance type belongs to. Please visit "
            "http://aws.amazon.com/contact-us/ec2-request to request an adjustment to this limit."
        ),
        "RequestLimitExceeded": "Request limit exceeded.",
        "InternalError": "An internal error has occurred",
        "Unavailable": "The server is overloaded and can't handle the request.",
    }
    return messages.get(code, f"The request failed ({code}).")


def _ec2_error(status: int, code: str, message: str) -> _Answer:
    """An error in the EC2 query API's format (EC2 API reference, "Error codes")."""
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f"<Response><Errors><Error><Code>{escape(code)}</Code><Message>{escape(message)}</Message>"
        f"</Error></Errors><RequestID>{uuid.uuid4()}</RequestID></Response>"
    )
    headers = [
        ("Content-Type", "text/xml;charset=UTF-8"),
        ("Date", formatdate(usegmt=True)),
        ("Server", "AmazonEC2"),
    ]
    return _Answer(status, headers, body.encode())


class _ProxyServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, faults: AwsFaults) -> None:
        self.faults = faults
        super().__init__(("127.0.0.1", 0), _ProxyHandler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client that went away is not the fake's problem


class _ProxyHandler(BaseHTTPRequestHandler):
    """One request per connection ("Connection: close", as moto's server does): nothing idles."""

    protocol_version = "HTTP/1.1"
    server: _ProxyServer
    timeout = 60

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _read_body(self) -> bytes:
        if self.headers.get("transfer-encoding", "").lower() == "chunked":
            chunks: list[bytes] = []
            while size := int(self.rfile.readline().split(b";")[0].strip() or b"0", 16):
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
            while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                pass
            return b"".join(chunks)
        length = int(self.headers.get("content-length") or 0)
        return self.rfile.read(length) if length else b""

    def _serve(self) -> None:
        body = self._read_body()
        try:
            answer = self.server.faults._handle(self.command, self.path, self.headers.items(), body)
        except Exception as exc:  # a bug in the fake: say so instead of dropping the connection
            logging.getLogger(__name__).exception(
                "AwsFaults failed on %s %s", self.command, self.path
            )
            answer = _ec2_error(500, "InternalError", f"tests.fakes.aws: {exc!r}")
        self.close_connection = True
        self.send_response_only(answer.status)
        for name, value in answer.headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(answer.body)))
        self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(answer.body)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _serve


# --- the fixture's objects ------------------------------------------------------------------------


@dataclass(frozen=True)
class FakeInstance:
    """An instance as moto describes it, with the fields tests look at most."""

    id: str
    instance_type: str
    state: str
    zone: str
    subnet_id: str | None
    image_id: str
    market: str
    """"spot" (moto's InstanceLifecycle) or "on-demand"."""
    tags: dict[str, str]
    raw: dict[str, Any] = field(repr=False)
    """The whole DescribeInstances entry."""


class AwsBackend:
    """One MotoServer and its AwsFaults proxy for a test session, and boto3 clients on moto itself
    (made in a clean environment, so a developer's AWS settings never reach them)."""

    def __init__(self) -> None:
        self.moto = MotoServer()
        self.faults: AwsFaults | None = None
        self._stack = contextlib.ExitStack()
        self.ec2: EC2Client
        self.ssm: SSMClient

    def __enter__(self) -> AwsBackend:
        with contextlib.ExitStack() as stack:  # closes what was started if something fails
            stack.enter_context(self.moto)
            self.faults = stack.enter_context(AwsFaults(self.moto.url))
            with pytest.MonkeyPatch.context() as mp:
                _clean_environment(mp)
                session = boto3.session.Session(
                    aws_access_key_id=ACCESS_KEY,
                    aws_secret_access_key=ACCESS_KEY,
                    region_name=REGION,
                )
                config = Config(retries={"mode": "standard", "total_max_attempts": 1})
                self.ec2 = session.client("ec2", endpoint_url=self.moto.url, config=config)
                stack.callback(self.ec2.close)
                self.ssm = session.client("ssm", endpoint_url=self.moto.url, config=config)
                stack.callback(self.ssm.close)
            self._stack = stack.pop_all()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._stack.close()

    def fresh(self, monkeypatch: pytest.MonkeyPatch) -> AwsFake:
        """An empty account for one test, and the environment pointing at the proxy."""
        assert self.faults is not None, "AwsBackend is not running: use it as a context manager"
        self.moto.reset()
        self.faults.clear()
        _clean_environment(monkeypatch)
        for name, value in {
            "AWS_ENDPOINT_URL": self.faults.url,
            "AWS_REGION": REGION,
            "AWS_DEFAULT_REGION": REGION,
            "AWS_ACCESS_KEY_ID": ACCESS_KEY,
            "AWS_SECRET_ACCESS_KEY": ACCESS_KEY,
        }.items():
            monkeypatch.setenv(name, value)
        monkeypatch.setattr(boto3, "DEFAULT_SESSION", None)  # boto3.client() made a fresh one
        return AwsFake(self, self.faults)


def _clean_environment(mp: pytest.MonkeyPatch) -> None:
    """No AWS_* variable of the developer's (profile, keys, session token, endpoints, CA bundle),
    no ~/.aws files, no instance metadata look-ups, no HTTP proxy for 127.0.0.1."""
    for name in [n for n in os.environ if n.startswith("AWS_")]:
        mp.delenv(name)
    mp.setenv("AWS_CONFIG_FILE", os.devnull)
    mp.setenv("AWS_SHARED_CREDENTIALS_FILE", os.devnull)
    mp.setenv("AWS_EC2_METADATA_DISABLED", "true")
    for name in ("NO_PROXY", "no_proxy"):
        mp.setenv(name, ",".join(filter(None, [os.environ.get(name), "127.0.0.1", "localhost"])))


class AwsFake:
    """A fresh moto account for one test (see the ``aws`` fixture): ``ec2`` and ``ssm`` talk to
    moto directly (their calls are neither faulted nor recorded); product code reaches the proxy
    at ``endpoint`` through the environment."""

    def __init__(self, backend: AwsBackend, faults: AwsFaults) -> None:
        self.region = REGION
        self.endpoint = faults.url
        self.faults = faults
        self.moto = backend.moto
        self.ec2 = backend.ec2
        self.ssm = backend.ssm
        subnets = self.ec2.describe_subnets()["Subnets"]
        self.subnets: dict[str, str] = {
            s["AvailabilityZone"]: s["SubnetId"] for s in subnets if s.get("DefaultForAz")
        }
        """The default VPC's subnet in each Availability Zone (us-east-1a … us-east-1f)."""
        faults.subnet_zones = self._subnet_zones
        faults.offered_zones = self._offered_zones
        self.gpu_ami = self.ec2.register_image(
            Name=DLAMI_NAME,
            Architecture="x86_64",
            RootDeviceName="/dev/sda1",
            VirtualizationType="hvm",
        )["ImageId"]
        """An AMI in moto, published as the Deep Learning AMI's public parameter."""
        faults.public_parameter(DLAMI_PARAMETER, self.gpu_ami)

    def _offered_zones(self, instance_type: str) -> list[str]:
        offerings = self.ec2.describe_instance_type_offerings(
            LocationType="availability-zone",
            Filters=[{"Name": "instance-type", "Values": [instance_type]}],
        )["InstanceTypeOfferings"]
        return [o["Location"] for o in offerings]

    def _subnet_zones(self) -> dict[str, str]:
        return {
            s["SubnetId"]: s["AvailabilityZone"] for s in self.ec2.describe_subnets()["Subnets"]
        }

    def instances(
        self, state: str | Collection[str] | None = None, tag: Mapping[str, str] | None = None
    ) -> list[FakeInstance]:
        """moto's instances in launch order (moto describes them so): those in *state* (a name or
        names: "pending", "running", "terminated", …) with every tag of *tag*, when given."""
        states = {state} if isinstance(state, str) else set(state or ())
        found = []
        for reservation in self.ec2.describe_instances()["Reservations"]:
            for raw in reservation["Instances"]:
                tags = {t["Key"]: t["Value"] for t in raw.get("Tags", [])}
                if states and raw["State"]["Name"] not in states:
                    continue
                if tag and any(tags.get(k) != v for k, v in tag.items()):
                    continue
                found.append(
                    FakeInstance(
                        id=raw["InstanceId"],
                        instance_type=raw["InstanceType"],
                        state=raw["State"]["Name"],
                        zone=raw["Placement"]["AvailabilityZone"],
                        subnet_id=raw.get("SubnetId"),
                        image_id=raw["ImageId"],
                        market=raw.get("InstanceLifecycle", "on-demand"),
                        tags=tags,
                        raw=dict(raw),
                    )
                )
        return found

    def managed_running(self) -> list[FakeInstance]:
        """Instances tagged mlreport:managed=true that are pending or running."""
        return self.instances(state=("pending", "running"), tag={MANAGED_TAG: "true"})

    def user_data(self, instance_id: str) -> str:
        """The instance's user data as given to RunInstances (decoded; "" when none)."""
        attribute = self.ec2.describe_instance_attribute(
            InstanceId=instance_id, Attribute="userData"
        )
        value = attribute.get("UserData", {}).get("Value")
        return base64.b64decode(value).decode() if value else ""

    def volumes(self, instance_id: str | None = None) -> list[dict[str, Any]]:
        """moto's EBS volumes (of *instance_id*, when given), with a "TagsDict" entry added."""
        found = []
        for volume in self.ec2.describe_volumes()["Volumes"]:
            attached = {a.get("InstanceId") for a in volume.get("Attachments", [])}
            if instance_id is None or instance_id in attached:
                tags = {t["Key"]: t["Value"] for t in volume.get("Tags", [])}
                found.append({**volume, "TagsDict": tags})
        return found


def _reclaimed(answer: _Answer, state: _State) -> _Answer:
    """DescribeInstances' XML with the state reason of each reclaimed instance made EC2's
    for a spot interruption (the instance elements found by their own instanceId child)."""
    import xml.etree.ElementTree as ET

    root = ET.fromstring(answer.body)
    namespace = root.tag.partition("}")[0] + "}" if root.tag.startswith("{") else ""
    ET.register_namespace("", namespace.strip("{}"))
    for item in root.iter(f"{namespace}item"):
        found = item.find(f"{namespace}instanceId")
        if (
            found is None
            or found.text not in state.reclaimed
            or item.find(f"{namespace}instanceType") is None
        ):
            continue
        reason = item.find(f"{namespace}stateReason")
        if reason is None:
            reason = ET.SubElement(item, f"{namespace}stateReason")
        for child in list(reason):
            reason.remove(child)
        ET.SubElement(reason, f"{namespace}code").text = "Server.SpotInstanceTermination"
        ET.SubElement(
            reason, f"{namespace}message"
        ).text = "Server.SpotInstanceTermination: Spot instance termination"
    body = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    headers = [
        (k, str(len(body)) if k.lower() == "content-length" else v) for k, v in answer.headers
    ]
    return _Answer(answer.status, headers, body)
