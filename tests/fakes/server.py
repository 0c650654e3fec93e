"""What both fake platforms share: a threaded HTTP server on 127.0.0.1, routing by OpenAPI path
templates, request recording, fault injection, latency, and contract checks with openapi-core.

A fake is a :class:`FakePlatform` subclass that registers handlers with :meth:`FakePlatform.route`
for operations of its OpenAPI description (and plain "web" routes for what browsers fetch). Every
request to an API route is checked against the description before its handler runs: one that
breaks the contract is answered with the platform's validation error and its messages are added
to ``validation_errors``. Every response an API handler sends is checked as well: a response that
breaks the contract is a bug in the fake, and is recorded the same way (but still sent).
"""

from __future__ import annotations

import contextlib
import email.parser
import email.policy
import json
import re
import socket
import struct
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import EllipsisType, TracebackType
from typing import Any, ClassVar, TypeVar
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit

_P = TypeVar("_P", bound="FakePlatform")

OPENAPI_DIR = Path(__file__).resolve().parent / "openapi"

_CREDENTIAL_HEADERS = frozenset({"authorization", "private-token", "job-token"})


@dataclass(frozen=True)
class Recorded:
    """One request as the fake received it (credentials removed)."""

    method: str
    path: str
    """The path as sent (percent-encoding kept), without the API prefix (``/api/v3``, ``/api/v4``);
    web requests (raw files, uploads) keep their whole path."""
    query: dict[str, str]
    headers: dict[str, str]
    """Lower-case names. ``authorization``, ``private-token`` and ``job-token`` are removed."""
    json: Any
    """The decoded JSON body, or None (no body, or not JSON)."""
    auth: str | None = None
    """How the request authenticated: "token", "bearer", "private-token", "job-token" or None."""
    body: bytes = field(default=b"", repr=False)


@dataclass
class Fault:
    method: str | None
    path: re.Pattern[str]
    status: int | None
    remaining: int
    headers: dict[str, str]
    body: Any
    delay: float
    reset: bool


class HTTPError(Exception):
    """Raised by a handler: answer with *status* and the JSON *body*."""

    def __init__(self, status: int, body: Any, headers: Mapping[str, str] | None = None) -> None:
        super().__init__(status, body)
        self.status = status
        self.body = body
        self.headers = dict(headers or {})


@dataclass
class Request:
    """A request as a handler sees it."""

    method: str
    path: str
    """Raw path (percent-encoding kept), without the API prefix."""
    query: list[tuple[str, str]]
    headers: dict[str, str]
    """Lower-case names."""
    body: bytes
    params: dict[str, str] = field(default_factory=dict)
    """Path parameters of the matched route, percent-decoded."""
    auth: str | None = None
    """The kind of credentials sent (see Recorded.auth), checked or not."""
    api: bool = True
    template: str | None = None
    """The OpenAPI path template of the matched route."""

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "")

    def arg(self, name: str, default: str | None = None) -> str | None:
        """The last value of query parameter *name*."""
        value = default
        for key, item in self.query:
            if key == name:
                value = item
        return value

    def has_arg(self, name: str) -> bool:
        return any(key == name for key, _ in self.query)

    def json(self) -> Any:
        if not self.body:
            return None
        return json.loads(self.body)

    def form(self) -> dict[str, Any]:
        """The body's fields: JSON object, urlencoded form or multipart (files as FormFile)."""
        ctype = self.content_type.split(";")[0].strip().lower()
        if ctype == "multipart/form-data":
            return parse_multipart(self.content_type, self.body)
        if ctype == "application/x-www-form-urlencoded":
            return dict(parse_qsl(self.body.decode(), keep_blank_values=True))
        data = self.json() if self.body else {}
        return data if isinstance(data, dict) else {}


@dataclass(frozen=True)
class FormFile:
    filename: str
    content: bytes
    content_type: str


def parse_multipart(content_type: str, body: bytes) -> dict[str, Any]:
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + body
    )
    fields: dict[str, Any] = {}
    if not message.is_multipart():
        return fields
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str):
            continue
        payload = part.get_payload(decode=True)
        content = payload if isinstance(payload, bytes) else b""
        filename = part.get_filename()
        if filename is not None:
            fields[name] = FormFile(filename, content, part.get_content_type())
        else:
            fields[name] = content.decode(part.get_content_charset() or "utf-8")
    return fields


@dataclass
class Response:
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str | None = None

    @classmethod
    def json(cls, status: int, data: Any, headers: Mapping[str, str] | None = None) -> Response:
        return cls(
            status,
            json.dumps(data, ensure_ascii=False).encode(),
            dict(headers or {}),
            "application/json; charset=utf-8",
        )

    @classmethod
    def empty(cls, status: int = 204, headers: Mapping[str, str] | None = None) -> Response:
        return cls(status, b"", dict(headers or {}), None)


Handler = Callable[[Request], Response]


@dataclass
class Route:
    method: str
    template: str
    regex: re.Pattern[str]
    handler: Handler
    api: bool
    """An API route: under the API prefix, authenticated and contract-checked."""

    @property
    def literal_weight(self) -> tuple[int, int]:
        params = self.template.count("{")
        return (params, -len(self.template))


def compile_template(template: str, greedy: frozenset[str] = frozenset()) -> re.Pattern[str]:
    """A regex for an OpenAPI path template; *greedy* parameters may contain slashes."""
    pattern = ""
    pos = 0
    for match in re.finditer(r"\{([^}]+)\}", template):
        pattern += re.escape(template[pos : match.start()])
        name = match.group(1)
        value = ".+" if name in greedy else "[^/]+"
        pattern += f"(?P<{name}>{value})"
        pos = match.end()
    pattern += re.escape(template[pos:])
    return re.compile(pattern)


def paginate(items: list[Any], request: Request, *, default: int, maximum: int = 100) -> Page:
    """The page of *items* that ``page`` and ``per_page`` ask for (both platforms cap at 100)."""
    try:
        per_page = int(request.arg("per_page") or default)
    except ValueError:
        per_page = default
    try:
        page = int(request.arg("page") or 1)
    except ValueError:
        page = 1
    per_page = min(max(per_page, 1), maximum)
    page = max(page, 1)
    last = max(1, -(-len(items) // per_page))
    return Page(items[(page - 1) * per_page : page * per_page], page, per_page, last, len(items))


@dataclass(frozen=True)
class Page:
    items: list[Any]
    page: int
    per_page: int
    last: int
    total: int

    def link_header(self, base_url: str, request: Request) -> str:
        """An RFC 5988 Link header: next/last (and prev/first), other parameters kept."""

        def url(page: int) -> str:
            query = [(k, v) for k, v in request.query if k not in ("page", "per_page")]
            query += [("per_page", str(self.per_page)), ("page", str(page))]
            return f"{base_url}{request.path}?{urlencode(query)}"

        links = []
        if self.page < self.last:
            links.append(f'<{url(self.page + 1)}>; rel="next"')
            links.append(f'<{url(self.last)}>; rel="last"')
        if self.page > 1:
            links.append(f'<{url(1)}>; rel="first"')
            links.append(f'<{url(min(self.page - 1, self.last))}>; rel="prev"')
        return ", ".join(links)


# --- contract checks ------------------------------------------------------------------------------


class Contract:
    """An OpenAPI description and openapi-core validators for it (reusable across threads)."""

    def __init__(self, spec: dict[str, Any], *, check_spec: bool = True) -> None:
        from jsonschema_path import SchemaPath
        from openapi_core import V30RequestValidator, V30ResponseValidator

        if check_spec:
            from openapi_spec_validator import validate

            validate(spec)
        self.spec = spec
        server = urlsplit(spec["servers"][0]["url"])
        self.host_url = f"{server.scheme}://{server.netloc}"
        self.base_path = server.path.rstrip("/")
        self._schema_path = SchemaPath.from_dict(spec)
        self._request_validator = V30RequestValidator(self._schema_path)
        self._response_validator = V30ResponseValidator(self._schema_path)

    def operation(self, method: str, template: str) -> dict[str, Any] | None:
        item = self.spec["paths"].get(template)
        if item is None:
            return None
        op = item.get(method.lower())
        return op if isinstance(op, dict) else None

    def templates(self) -> Iterator[tuple[str, str]]:
        for template, item in self.spec["paths"].items():
            for method in item:
                if method in ("get", "put", "post", "patch", "delete", "head", "options"):
                    yield method.upper(), template

    def documented(self, method: str, template: str, status: int) -> bool:
        op = self.operation(method, template) or {}
        responses = op.get("responses", {})
        return (
            str(status) in responses or f"{str(status)[0]}XX" in responses or "default" in responses
        )

    def _adapt(self, req: Request, template: str) -> _OARequest:
        return _OARequest(
            host_url=self.host_url,
            path=self.base_path + req.path,
            path_pattern=self.base_path + template,
            method=req.method.lower(),
            path_params=dict(req.params),
            query=req.query,
            headers=req.headers,
            body=req.body or None,
            content_type=req.content_type,
        )

    def request_errors(self, req: Request, template: str) -> list[str]:
        return [
            _describe(e) for e in self._request_validator.iter_errors(self._adapt(req, template))
        ]

    def response_errors(self, req: Request, template: str, resp: Response) -> list[str]:
        adapted = _OAResponse(resp.status, resp.content_type or "", resp.headers, resp.body or None)
        errors = self._response_validator.iter_errors(self._adapt(req, template), adapted)
        return [_describe(e) for e in errors]


class _OARequest:
    """openapi-core's Request protocol, with the matched path template given explicitly (our own
    routing decides the operation: a ``{ref}`` such as ``heads/x`` holds a slash)."""

    def __init__(
        self,
        *,
        host_url: str,
        path: str,
        path_pattern: str,
        method: str,
        path_params: dict[str, str],
        query: list[tuple[str, str]],
        headers: dict[str, str],
        body: bytes | None,
        content_type: str,
    ) -> None:
        from openapi_core.datatypes import RequestParameters
        from werkzeug.datastructures import Headers, ImmutableMultiDict

        self.host_url = host_url
        self.path = path
        self.path_pattern = path_pattern
        self.method = method
        self.parameters = RequestParameters(
            query=ImmutableMultiDict(query),
            header=Headers(list(headers.items())),
            cookie=ImmutableMultiDict(),
            path=path_params,
        )
        self.body = body
        self.content_type = content_type.lower()


class _OAResponse:
    def __init__(
        self, status: int, content_type: str, headers: dict[str, str], data: bytes | None
    ) -> None:
        from werkzeug.datastructures import Headers

        self.status_code = status
        self.content_type = content_type.lower()
        self.headers = Headers(list(headers.items()))
        self.data = data


def _describe(error: BaseException) -> str:
    """One line for an openapi-core error: the chain of error types, then the schema errors
    (where in the document, and what is wrong) or, when there are none, the error's message."""
    kinds: list[str] = []
    details: list[str] = []
    seen: set[int] = set()
    cause: BaseException | None = error
    while cause is not None and id(cause) not in seen:
        seen.add(id(cause))
        kinds.append(type(cause).__name__)
        for schema_error in getattr(cause, "schema_errors", None) or ():
            where = "/".join(str(p) for p in getattr(schema_error, "absolute_path", ()))
            message = str(getattr(schema_error, "message", schema_error))
            details.append(f"{where or '<root>'}: {_shorten(message)}")
        cause = cause.__cause__ or cause.__context__
    if not details:
        details.append(_shorten(str(error)))
    return " < ".join(dict.fromkeys(kinds)) + ": " + "; ".join(dict.fromkeys(details))


def _shorten(text: str, limit: int = 300) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


_contracts: dict[Path, Contract] = {}
_contracts_lock = threading.Lock()


def load_contract(path: Path) -> Contract:
    """The contract in *path* (.json or .yaml), loaded and checked once per process."""
    with _contracts_lock:
        contract = _contracts.get(path)
        if contract is None:
            text = path.read_text(encoding="utf-8")
            if path.suffix == ".json":
                spec = json.loads(text)
            else:
                import yaml

                spec = yaml.safe_load(text)
            contract = _contracts[path] = Contract(spec)
        return contract


def preload_contract(path: Path) -> None:
    """Start loading *path* in the background (importing openapi-core takes most of a second)."""
    with _contracts_lock:
        if path in _contracts:
            return
    threading.Thread(target=load_contract, args=(path,), daemon=True).start()


# --- the server -----------------------------------------------------------------------------------


class _Server(ThreadingHTTPServer):
    daemon_threads = False
    block_on_close = True
    allow_reuse_address = True

    def __init__(self, platform: FakePlatform) -> None:
        self.platform = platform
        self.connections: set[socket.socket] = set()
        self.connections_lock = threading.Lock()
        super().__init__(("127.0.0.1", 0), _Handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client that went away (timeouts, resets) is not the fake's problem


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server
    timeout = 60

    def setup(self) -> None:
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        with self.server.connections_lock:
            self.server.connections.add(self.connection)

    def finish(self) -> None:
        with self.server.connections_lock:
            self.server.connections.discard(self.connection)
        with contextlib.suppress(OSError):
            super().finish()

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _read_body(self) -> bytes:
        if self.headers.get("transfer-encoding", "").lower() == "chunked":
            chunks: list[bytes] = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("content-length") or 0)
        return self.rfile.read(length) if length else b""

    def _dispatch(self) -> None:
        body = self._read_body()
        headers = {k.lower(): v for k, v in self.headers.items()}
        outcome = self.server.platform._serve(self.command, self.path, headers, body)
        if outcome is None:  # reset the connection: RST instead of an answer
            self.close_connection = True
            try:
                self.connection.setsockopt(
                    socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
                )
                self.connection.close()
            except OSError:
                pass
            return
        self.send_response(outcome.status)
        if outcome.content_type:
            self.send_header("Content-Type", outcome.content_type)
        for name, value in outcome.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(outcome.body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(outcome.body)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _dispatch


_S = TypeVar("_S", bound="Served")


class Served:
    """A server that is a context manager: started on entry, stopped on exit."""

    def start(self: _S) -> _S:
        raise NotImplementedError

    def stop(self) -> None:
        raise NotImplementedError

    def __enter__(self: _S) -> _S:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def serve_in_background(server: ThreadingHTTPServer, name: str) -> threading.Thread:
    """Run *server* in a daemon thread (polling for shutdown every 50 ms)."""
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, name=name, daemon=True
    )
    thread.start()
    return thread


class FakePlatform(Served):
    """Base of FakeGitHub and FakeGitLab (see the module's docstring)."""

    api_prefix: ClassVar[str] = ""
    spec_file: ClassVar[Path]
    greedy_params: ClassVar[frozenset[str]] = frozenset()

    def __init__(self) -> None:
        self.requests: list[Recorded] = []
        self.validation_errors: list[str] = []
        self.validate = True  # contract checks; bench/ turns them off to time round trips only
        self.latency = 0.0
        self._faults: list[Fault] = []
        self._routes: list[Route] = []
        self._lock = threading.RLock()
        self._stopping = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        preload_contract(self.spec_file)

    # -- lifecycle

    def start(self: _P) -> _P:
        if self._server is not None:
            return self
        self._stopping.clear()
        self._server = _Server(self)
        self._thread = serve_in_background(self._server, f"{type(self).__name__}:{self.port}")
        return self

    def stop(self) -> None:
        server, thread = self._server, self._thread
        if server is None or thread is None:
            return
        self._stopping.set()
        server.shutdown()
        thread.join()
        with server.connections_lock:
            connections = list(server.connections)
        for conn in connections:  # idle keep-alive connections: wake their threads up
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
        server.server_close()  # joins the request threads
        self._server = self._thread = None

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError(f"{type(self).__name__} is not running: use it as a context manager")
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    # -- configuration

    def add_fault(
        self,
        method: str | None = None,
        path: str = r".*",
        status: int | EllipsisType | None = ...,
        times: int = 1,
        headers: Mapping[str, str] | None = None,
        body: Any = None,
        delay: float = 0.0,
        reset: bool = False,
    ) -> None:
        """The next *times* requests whose method is *method* (any when None) and whose path
        (without the API prefix, query excluded) contains a match of the regular expression *path*
        get a fault instead of their normal answer, in this order of precedence:

        - ``reset=True``: the connection is closed without an answer (a TCP reset), after *delay*;
        - otherwise, after *delay* seconds, the answer is *status* with *body* (JSON; a platform
          error message when None) and *headers*; *status* defaults to 500, or, when *delay* is
          given, to None: ``status=None`` answers normally (a slow response).

        Faulted requests are recorded in ``requests`` but not processed (no state changes).
        """
        if status is ...:
            status = None if delay > 0 or reset else 500
        with self._lock:
            self._faults.append(
                Fault(
                    method.upper() if method else None,
                    re.compile(path),
                    status,
                    times,
                    dict(headers or {}),
                    body,
                    delay,
                    reset,
                )
            )

    def route(
        self,
        method: str,
        template: str,
        handler: Handler,
        *,
        api: bool = True,
        greedy: frozenset[str] | None = None,
    ) -> None:
        """Serve *template* (an OpenAPI path, ``{name}`` parameters) with *handler*; *greedy*
        parameters (default: the platform's greedy_params) may hold slashes."""
        regex = compile_template(template, self.greedy_params if greedy is None else greedy)
        self._routes.append(Route(method.upper(), template, regex, handler, api))
        self._routes.sort(key=lambda r: r.literal_weight)

    @property
    def contract(self) -> Contract:
        return load_contract(self.spec_file)

    # -- hooks for the platforms

    def auth_kind(self, headers: Mapping[str, str]) -> str | None:
        """The kind of credentials in *headers* (recorded with the request), valid or not."""
        return None

    def authenticate(self, req: Request) -> None:
        """Raise HTTPError (401) unless the request's credentials are valid."""

    def common_headers(self, req: Request | None, resp: Response) -> dict[str, str]:
        return {}

    def error(self, status: int, message: str, req: Request | None = None) -> Response:
        return Response.json(status, {"message": message})

    def invalid_request(self, req: Request, messages: list[str]) -> Response:
        return self.error(422, "Invalid request.\n\n" + "\n".join(messages), req)

    # -- serving

    def _wait(self, seconds: float) -> None:
        if seconds > 0:
            self._stopping.wait(seconds)

    def _take_fault(self, method: str, path: str) -> Fault | None:
        with self._lock:
            for fault in self._faults:
                if fault.remaining <= 0:
                    continue
                if fault.method not in (None, method) or not fault.path.search(path):
                    continue
                fault.remaining -= 1
                return fault
        return None

    def _match(self, method: str, path: str, api: bool) -> Route | None:
        for route in self._routes:
            if route.api == api and route.method == method and route.regex.fullmatch(path):
                return route
        return None

    def _serve(
        self, method: str, target: str, headers: dict[str, str], body: bytes
    ) -> Response | None:
        split = urlsplit(target)
        raw_path = split.path
        api = bool(self.api_prefix) and (
            raw_path == self.api_prefix or raw_path.startswith(self.api_prefix + "/")
        )
        path = raw_path[len(self.api_prefix) :] if api else raw_path
        query = parse_qsl(split.query, keep_blank_values=True)
        req = Request(method, path, query, headers, body, auth=self.auth_kind(headers), api=api)
        decoded: Any = None
        if body and headers.get("content-type", "").lower().startswith("application/json"):
            try:
                decoded = json.loads(body)
            except ValueError:
                decoded = None
        with self._lock:
            self.requests.append(
                Recorded(
                    method=method,
                    path=path,
                    query=dict(query),
                    headers={k: v for k, v in headers.items() if k not in _CREDENTIAL_HEADERS},
                    json=decoded,
                    auth=req.auth,
                    body=body,
                )
            )
        self._wait(self.latency)
        fault = self._take_fault(method, path)
        if fault is not None:
            self._wait(fault.delay)
            if fault.reset:
                return None
            if fault.status is not None:
                if fault.body is None:
                    resp = self.error(fault.status, _REASONS.get(fault.status, "Error"), req)
                else:
                    resp = Response.json(fault.status, fault.body)
                resp.headers.update(fault.headers)
                return self._finish(req, resp)
        return self._finish(req, self._respond(req, api))

    def _finish(self, req: Request, resp: Response) -> Response:
        headers = self.common_headers(req, resp)
        headers.update(resp.headers)
        resp.headers = headers
        return resp

    def _respond(self, req: Request, api: bool) -> Response:
        route = self._match(req.method, req.path, api)
        if route is None:
            if api:
                known = any(
                    method == req.method
                    and compile_template(t, self.greedy_params).fullmatch(req.path)
                    for method, t in self.contract.templates()
                )
                why = "not implemented by the fake" if known else "no such operation in the fake"
                self._record_error(f"{req.method} {req.path}: {why}")
            return self.error(404, "Not Found", req)
        match = route.regex.fullmatch(req.path)
        assert match is not None
        req.params = {k: unquote(v) for k, v in match.groupdict().items()}
        req.template = route.template
        if not route.api:
            return self._call(route, req)
        try:
            self.authenticate(req)
        except HTTPError as exc:
            return self._error_response(exc, req)
        if not self.validate:
            return self._call(route, req)
        contract = self.contract
        errors = contract.request_errors(req, route.template)
        if errors:
            for error in errors:
                self._record_error(f"request {req.method} {req.path}: {error}")
            return self.invalid_request(req, errors)
        resp = self._call(route, req)
        self._check_response(contract, route, req, resp)
        return resp

    def _call(self, route: Route, req: Request) -> Response:
        try:
            with self._lock:
                return route.handler(req)
        except HTTPError as exc:
            return self._error_response(exc, req)

    def _error_response(self, exc: HTTPError, req: Request) -> Response:
        if isinstance(exc.body, str):
            resp = self.error(exc.status, exc.body, req)
        else:
            resp = Response.json(exc.status, exc.body)
        resp.headers.update(exc.headers)
        return resp

    def _check_response(
        self, contract: Contract, route: Route, req: Request, resp: Response
    ) -> None:
        where = f"response {resp.status} to {req.method} {req.path}"
        if contract.documented(route.method, route.template, resp.status):
            errors = contract.response_errors(req, route.template, resp)
        else:  # statuses the description leaves out (401, some 403/404): an error message
            errors = check_error_body(resp)
        for error in errors:
            self._record_error(f"{where}: {error}")

    def _record_error(self, message: str) -> None:
        with self._lock:
            self.validation_errors.append(message)


def check_error_body(resp: Response) -> list[str]:
    """Errors in an undocumented error response: it must be a JSON object with a message."""
    if resp.status < 400:
        return [f"status {resp.status} is not in the operation's responses"]
    try:
        data = json.loads(resp.body)
    except ValueError:
        return ["error body is not JSON"]
    if not isinstance(data, dict) or not ({"message", "error"} & data.keys()):
        return [f"error body has no message: {data!r}"]
    return []


_REASONS = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    409: "Conflict",
    422: "Unprocessable Entity",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}


def utc_now() -> float:
    return time.time()
