"""Parameters files (``params.yaml`` and the like: YAML, JSON, TOML) and how they changed
against a git ref, as ``dvc params diff`` shows them.

Nested keys are joined with dots (``train.lr``) and lists stay values, as in DVC. Against a
baseline only the changed parameters are listed (modified, added, removed); without one,
every parameter, with no change.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from mlreport.errors import InputError
from mlreport.inputs._files import decode_utf8, read_text
from mlreport.inputs.structured import nested_too_deeply, parse_json, parse_yaml

Change = Literal["modified", "added", "removed"]
Params = dict[str, Any]
AtRef = Callable[[str, Path], bytes | None]  # file_at: a file as it is at a git ref


@dataclass(frozen=True)
class ParamChange:
    name: str
    file: str
    value: Any  # None when removed
    baseline: Any  # None when added, or without a baseline
    change: Change | None  # None without a baseline


def load_params(path: Path) -> Params:
    return parse_params(read_text(path, "params"), path)


def parse_params(text: str, path: Path) -> Params:
    suffix = path.suffix.lower()
    if suffix == ".json":
        data = parse_json(text, path)
    elif suffix == ".toml":
        data = _toml(text, path)
    elif suffix in (".yaml", ".yml", ""):
        data = parse_yaml(text, path)
    else:
        raise InputError(path, f"unknown params format '{suffix}'", "use YAML, JSON or TOML")
    if data is None:
        return {}
    if not isinstance(data, Mapping):
        raise InputError(path, "expected a mapping of parameter names to values")
    out: Params = {}
    try:
        _flatten(out, "", data)
    except RecursionError:
        raise nested_too_deeply(path) from None
    return out


def diff_params(
    paths: Sequence[Path], ref: str | None, at_ref: AtRef | None = None
) -> tuple[list[ParamChange], list[str]]:
    """The parameters of *paths*, against their copies at REF (read by *at_ref*, a
    ``file_at(ref, path)``; None: no baseline). Returns the rows and notes."""
    rows: list[ParamChange] = []
    notes: list[str] = []
    for path in paths:
        if not path.is_file():
            notes.append(f"params file {path} not found; left out")
            continue
        current = load_params(path)
        if ref is None or at_ref is None:
            rows += [ParamChange(k, str(path), v, None, None) for k, v in current.items()]
            continue
        data = at_ref(ref, path)
        old = parse_params(decode_utf8(data, path), path) if data is not None else {}
        rows += _changes(str(path), current, old)
    return rows, notes


def _changes(file: str, new: Params, old: Params) -> list[ParamChange]:
    out = []
    for name, value in new.items():
        if name not in old:
            out.append(ParamChange(name, file, value, None, "added"))
        elif not _same(old[name], value):
            out.append(ParamChange(name, file, value, old[name], "modified"))
    out += [ParamChange(k, file, None, v, "removed") for k, v in old.items() if k not in new]
    return out


def _same(a: Any, b: Any) -> bool:
    return (type(a) is type(b) and a == b) or (_number(a) and _number(b) and a == b)


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _flatten(out: Params, prefix: str, data: Mapping[str, Any]) -> None:
    for key, value in data.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping) and value:
            _flatten(out, f"{name}.", value)
        else:
            out[name] = value if _plain(value) else str(value)


def _plain(value: Any) -> bool:
    if isinstance(value, list | tuple):
        return all(_plain(v) for v in value)
    if isinstance(value, Mapping):
        return all(_plain(v) for v in value.values())
    return value is None or isinstance(value, bool | int | float | str)


def _toml(text: str, path: Path) -> Any:
    try:
        import tomllib  # type: ignore[import-not-found,unused-ignore]
    except ImportError:  # Python 3.10
        raise InputError(path, "reading TOML needs Python 3.11 or later") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(path, f"invalid TOML: {exc}") from None
