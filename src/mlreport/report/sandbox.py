"""The sandbox of a user template (``--template FILE``): untrusted code, bounded.

:class:`BoundedSandbox` is Jinja's :class:`~jinja2.sandbox.SandboxedEnvironment`, bounded in
what a template can reach and spend:

- it includes, imports or extends only files whose real path (symlinks and ``..``
  resolved) is in the template's own folder or among the shipped templates
  (:class:`ConfinedLoader`);
- a ``range()`` has at most :data:`MAX_RANGE` items, and so has a collection given to a
  builtin that hashes it in one call (``dict.fromkeys``…); ``**`` and ``*`` refuse, before
  they run, results of more than :data:`MAX_INT_BITS` bits or :data:`MAX_VALUE` items; any
  other value that ``* ** + %``, ``~``, a call or a filter makes is checked against
  :data:`MAX_VALUE` once made;
- the output stops at :data:`MAX_OUTPUT` bytes (:func:`collect`); compiling, and then
  rendering, each stop after :data:`TIME_LIMIT` seconds (SIGALRM in the main thread;
  elsewhere a clock read at each of those operators, calls and filters, at attribute and
  item look-ups and at output chunks) and after adding :data:`MAX_MEMORY` bytes to the
  address space (``RLIMIT_AS``, Linux), which bounds the one-call allocations
  (``"x".ljust(10**10)``) checked only once made (:class:`Budget`).

A bound hit raises :class:`LimitExceeded` (or MemoryError), which :mod:`.template` turns into
a one-line TemplateError.  jinja2 is imported here at the top: only :mod:`.template` imports
this module, from inside the functions that need it.
"""

from __future__ import annotations

import functools
import math
import os
import signal
import threading
import time
from collections.abc import Callable, Iterator, Sized
from pathlib import Path
from types import BuiltinFunctionType, FrameType
from typing import Any, TypeVar

from jinja2 import Environment, FileSystemLoader, TemplateNotFound
from jinja2.compiler import CodeGenerator, Frame
from jinja2.exceptions import SecurityError
from jinja2.loaders import split_template_path
from jinja2.nodes import Concat
from jinja2.runtime import Context
from jinja2.sandbox import SandboxedEnvironment

T = TypeVar("T")

# A report loops over metrics, classes and slices, prints numbers of a few digits and is read
# on GitHub, which takes 65,536 characters in a comment and 1 MiB in a job summary: these
# bounds leave a wide margin, and stop a bomb within seconds.
MAX_RANGE = 10_000  # items in one range()
MAX_INT_BITS = 10_000  # bits of an integer made by * or ** (3,010 digits)
MAX_VALUE = 5_000_000  # characters or items of one value the template makes
MAX_OUTPUT = 5_000_000  # bytes (UTF-8) of the rendered template
MAX_MEMORY = 1 << 30  # bytes of address space that compiling or rendering may add (Linux)
TIME_LIMIT = 10.0  # seconds to compile, and again to render
_SIZED = (str, bytes, list, tuple, dict, set, frozenset)
# Builtins that hash every item of a collection in one C call, which no alarm interrupts:
# keys made to collide (multiples of 2**61 - 1) make that quadratic.
_HASHING = frozenset(
    """fromkeys update isdisjoint issubset issuperset union intersection difference
    symmetric_difference intersection_update difference_update symmetric_difference_update
    """.split()
)


class LimitExceeded(Exception):
    """A user template passed one of the bounds above (the message says which)."""


class _OutOfTime(BaseException):
    """The time limit rang: a BaseException, so that no ``except Exception`` inside Jinja
    (constant folding catches everything) swallows it."""


def _limit(what: str, limit: int) -> LimitExceeded:
    return LimitExceeded(f"{what}, past the sandbox's limit of {limit:,}")


def sized(value: T) -> T:
    if isinstance(value, _SIZED) and len(value) > MAX_VALUE:
        raise _limit(f"a value of {len(value):,} characters or items", MAX_VALUE)
    return value


def bounded_range(*args: int) -> range:
    items = range(*args)
    size = (items[-1] - items[0]) // items.step + 1 if items else 0  # len() overflows at 2**63
    if size > MAX_RANGE:
        raise _limit(f"range() of {size:,} items", MAX_RANGE)
    return items


def check_binop(operator: str, left: Any, right: Any) -> None:
    """Refuse ``**`` and ``*`` whose result would pass the bounds, before computing it:
    these two can make a value any number of times larger than their operands."""
    ints = isinstance(left, int) and isinstance(right, int)
    if operator == "**" and ints and right > 0:
        bits = abs(left).bit_length() * right
        if bits > MAX_INT_BITS:
            raise _limit(
                f"{_brief(left)} ** {_brief(right)} would have {bits:,} bits", MAX_INT_BITS
            )
    elif operator == "*" and ints:
        bits = abs(left).bit_length() + abs(right).bit_length()
        if bits > MAX_INT_BITS:
            raise _limit(f"a product of {bits:,} bits", MAX_INT_BITS)
    elif operator == "*":
        for sequence, times in ((left, right), (right, left)):
            if isinstance(times, int) and isinstance(sequence, _SIZED):
                size = len(sequence) * times
                if size > MAX_VALUE:
                    what = f"a {type(sequence).__name__} repeated {times:,} times would have"
                    raise _limit(f"{what} {size:,} characters or items", MAX_VALUE)


def check_call(function: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    if function is dict or (
        isinstance(function, BuiltinFunctionType) and function.__name__ in _HASHING
    ):
        for value in (*args, *kwargs.values()):
            if isinstance(value, Sized) and len(value) > MAX_RANGE:
                name = getattr(function, "__name__", "dict")
                what = f"{name}() hashing {len(value):,} items"
                raise _limit(what, MAX_RANGE)


def _brief(number: int) -> str:
    return str(number) if number.bit_length() <= 64 else f"a {number.bit_length():,}-bit integer"


class Budget:
    """The time and memory that one compile or one render of a user template may take."""

    def __init__(self) -> None:
        self.deadline = math.inf
        self._started = 0.0
        self._alarm: tuple[Any, tuple[float, float]] | None = None
        self._memory: tuple[int, int] | None = None

    def check(self) -> None:
        """The clock, for threads where no alarm can ring (read at every sandbox hook)."""
        if time.monotonic() > self.deadline:
            self.deadline = math.inf
            raise _OutOfTime

    def _ring(self, signum: int, frame: FrameType | None) -> None:
        if self.deadline != math.inf:  # not while stopping
            self.deadline = math.inf
            raise _OutOfTime

    def run(self, work: Callable[[], T]) -> T:
        try:
            try:
                self._start()
                return work()
            finally:
                self._stop()
        except _OutOfTime as exc:
            self._stop()  # the alarm may have rung inside _stop()
            what = f"the template ran for more than {TIME_LIMIT:g} s, the sandbox's limit"
            raise LimitExceeded(what).with_traceback(exc.__traceback__) from None

    def _start(self) -> None:
        self._started = time.monotonic()
        self.deadline = self._started + TIME_LIMIT
        if hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread():
            handler = signal.signal(signal.SIGALRM, self._ring)
            self._alarm = (handler, signal.setitimer(signal.ITIMER_REAL, TIME_LIMIT))
        self._memory = _limit_address_space(MAX_MEMORY)

    def _stop(self) -> None:
        """Undo :meth:`_start`; idempotent, so that it can finish after an alarm cut it short."""
        self.deadline = math.inf
        if self._alarm is not None:
            signal.setitimer(signal.ITIMER_REAL, 0)
            handler, (delay, interval) = self._alarm
            signal.signal(signal.SIGALRM, signal.SIG_DFL if handler is None else handler)
            if delay:  # someone else's alarm: give it back, less the time taken
                left = delay - (time.monotonic() - self._started)
                signal.setitimer(signal.ITIMER_REAL, max(left, 0.001), interval)
            self._alarm = None
        if self._memory is not None:
            import resource

            resource.setrlimit(resource.RLIMIT_AS, self._memory)
            self._memory = None


def _limit_address_space(extra: int) -> tuple[int, int] | None:
    """Lower the soft RLIMIT_AS to what the process maps now plus *extra* bytes, so that an
    allocation past it fails with MemoryError; return the limits to restore (Linux only)."""
    try:
        import resource

        with open("/proc/self/statm", encoding="ascii") as statm:
            mapped = int(statm.read().split()[0]) * resource.getpagesize()
        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        limit = mapped + extra if hard == resource.RLIM_INFINITY else min(mapped + extra, hard)
        if soft != resource.RLIM_INFINITY and soft <= limit:
            return None  # already tighter
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    except (ImportError, OSError, ValueError, IndexError):
        return None
    return soft, hard


def collect(chunks: Iterator[str], budget: Budget) -> str:
    """Join the output of a user template, stopping once it passes MAX_OUTPUT bytes."""
    parts: list[str] = []
    size = 0
    for chunk in chunks:
        budget.check()
        size += len(chunk) if chunk.isascii() else len(chunk.encode("utf-8", "replace"))
        if size > MAX_OUTPUT:
            what = f"the template's output passed {MAX_OUTPUT // 1_000_000} MB"
            raise LimitExceeded(f"{what}, the sandbox's limit")
        parts.append(chunk)
    return "".join(parts)


class _BoundedGenerator(CodeGenerator):
    def visit_Concat(self, node: Concat, frame: Frame) -> None:  # a ~ b ~ …
        self.write("environment.sized(")
        super().visit_Concat(node, frame)
        self.write(")")


class BoundedSandbox(SandboxedEnvironment):
    """The sandbox, with the hooks that enforce the bounds; :meth:`bound_filters` once its
    filters are all in."""

    intercepted_binops = frozenset({"*", "**", "+", "%"})
    code_generator_class = _BoundedGenerator

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.budget = Budget()
        self.globals["range"] = bounded_range

    def sized(self, value: T) -> T:
        self.budget.check()
        return sized(value)

    def bound_filters(self) -> None:
        """Filters are called directly, not through :meth:`call`: wrap each one."""
        for name, function in self.filters.items():
            self.filters[name] = _bounded_filter(function, self.budget)

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        self.budget.check()
        check_binop(operator, left, right)
        return sized(super().call_binop(context, operator, left, right))

    def call(__self, __context: Context, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        __self.budget.check()
        check_call(__obj, args, kwargs)
        return sized(super().call(__context, __obj, *args, **kwargs))

    def getattr(self, obj: Any, attribute: str) -> Any:
        self.budget.check()
        return super().getattr(obj, attribute)

    def getitem(self, obj: Any, argument: Any) -> Any:
        self.budget.check()
        return super().getitem(obj, argument)


def _bounded_filter(function: Callable[..., Any], budget: Budget) -> Callable[..., Any]:
    @functools.wraps(function)  # keeps jinja_pass_arg (pass_context and friends)
    def bounded(*args: Any, **kwargs: Any) -> Any:
        budget.check()
        return sized(function(*args, **kwargs))

    return bounded


class ConfinedLoader(FileSystemLoader):
    """A FileSystemLoader that reads only files whose real path is inside *allowed*, or is
    *own* (the user's template itself, wherever a symlink to it points)."""

    def __init__(self, searchpath: list[str], allowed: list[Path], own: Path) -> None:
        super().__init__(searchpath)
        self.allowed = allowed
        self.own = own

    def get_source(
        self, environment: Environment, template: str
    ) -> tuple[str, str, Callable[[], bool]]:
        pieces = split_template_path(template)  # refuses '..' segments
        for root in self.searchpath:
            filename = os.path.join(root, *pieces)
            if os.path.isfile(filename):
                break
        else:
            raise TemplateNotFound(template)
        real = Path(filename).resolve()
        if real != self.own and not any(real.is_relative_to(a) for a in self.allowed):
            raise SecurityError(
                f"{template} is {real}, outside the template's folder ({self.allowed[0]}) and "
                "mlreport's templates; copy it into that folder"
            )
        source = real.read_text(encoding=self.encoding)
        mtime = real.stat().st_mtime
        return source, filename, lambda: _mtime(real) == mtime


def _mtime(path: Path) -> float | None:
    try:
        return path.stat().st_mtime
    except OSError:
        return None
