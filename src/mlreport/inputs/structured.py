"""JSON and YAML text read as data, with limits, and every failure a one-line InputError.

Both parsers can be made to fail in ways their own messages do not explain to a user:

- an integer of more than 4,300 digits (Python's limit on int conversion);
- nesting deep enough to exhaust the interpreter's recursion limit;
- for YAML, aliases that expand exponentially (a 290-byte "billion laughs" document grows
  to gigabytes once walked): the document's expanded size is measured before it is built,
  and refused past :data:`MAX_NODES`;
- YAML keys that are equal in Python but not as written (``1:`` and ``true:``): keys are read
  as the text written, so those are two names, and a key written twice is named as written.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from mlreport.errors import InputError

MAX_NODES = 200_000  # YAML nodes once aliases are expanded (values and keys)
_DIGITS = re.compile(r"value has (\d+) digits")
_YAML_FLOAT = re.compile(
    r"""^(?:[-+]?(?:\d[\d_]*)?\.\d[\d_]*(?:[eE][-+]?\d+)?
        |[-+]?\d[\d_]*(?:\.[\d_]*)?[eE][-+]?\d+
        |[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$""",
    re.VERBOSE,
)


class DuplicateKey(Exception):
    def __init__(self, key: str, where: str = "") -> None:
        super().__init__(key)
        self.key = key
        self.where = where


def parse_json(
    text: str,
    path: Path | str,
    *,
    pairs: Callable[[list[tuple[str, Any]]], Any] | None = None,
    hint: str | None = "fix the file at that position (a JSON linter shows the context)",
) -> Any:
    """``json.loads`` with one-line errors; *pairs*: an ``object_pairs_hook``."""
    try:
        return json.loads(text, object_pairs_hook=pairs)
    except json.JSONDecodeError as exc:
        raise InputError(
            path, f"invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}", hint
        ) from None
    except DuplicateKey as exc:
        raise InputError(path, f"key '{exc.key}' appears twice in one object") from None
    except RecursionError:
        raise nested_too_deeply(path) from None
    except ValueError as exc:  # an integer too long to convert
        raise number_too_long(path, exc) from None


def parse_yaml(text: str, path: Path | str) -> Any:
    """YAML through PyYAML's safe loader with the limits above; ``1e-3`` is a number (as in
    YAML 1.2; PyYAML's 1.1 makes it a string)."""
    import yaml

    try:
        return yaml.load(text, Loader=_loader())  # a SafeLoader subclass
    except DuplicateKey as exc:
        raise InputError(path, f"key '{exc.key}' appears twice in one mapping{exc.where}") from None
    except _TooBig as exc:
        raise InputError(path, str(exc), "write the values out instead of aliasing") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise InputError(
            path,
            f"invalid YAML{where}: {problem}",
            "fix the file at that position (check indentation and quotes)",
        ) from None
    except RecursionError:
        raise nested_too_deeply(path) from None
    except ValueError as exc:
        raise number_too_long(path, exc) from None


def nested_too_deeply(path: Path | str) -> InputError:
    return InputError(path, "nested too deeply to read", "flatten the structure")


def number_too_long(path: Path | str, exc: ValueError) -> InputError:
    digits = _DIGITS.search(str(exc))
    size = f"of {int(digits.group(1)):,} digits " if digits else ""
    return InputError(
        path, f"has an integer {size}(more than Python reads: 4,300 digits)", "write it shorter"
    )


class _TooBig(Exception):
    pass


def _loader() -> Any:
    import yaml
    from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

    def expanded(node: Node, sizes: dict[int, int], open_: set[int]) -> int:
        key = id(node)
        if key in sizes:
            return sizes[key]
        if key in open_:
            raise _TooBig("an alias refers to itself (a recursive structure)")
        open_.add(key)
        size = 1
        if isinstance(node, MappingNode):
            size += sum(
                expanded(k, sizes, open_) + expanded(v, sizes, open_) for k, v in node.value
            )
        elif isinstance(node, SequenceNode):
            size += sum(expanded(item, sizes, open_) for item in node.value)
        open_.discard(key)
        sizes[key] = size
        if size > MAX_NODES:
            raise _TooBig(f"expands to more than {MAX_NODES:,} values through its aliases")
        return size

    class Loader(yaml.SafeLoader):
        def compose_document(self) -> Any:
            node = super().compose_document()
            if node is not None:
                expanded(node, {}, set())
            return node

        def construct_mapping(self, node: Any, deep: bool = False) -> dict[Any, Any]:
            if not isinstance(node, MappingNode):
                return super().construct_mapping(node, deep=deep)  # its own error
            explicit = sum(1 for k, _ in node.value if k.tag != "tag:yaml.org,2002:merge")
            self.flatten_mapping(node)  # `<<: *defaults` first; keys written here override
            merged = len(node.value) - explicit
            out: dict[Any, Any] = {}
            for index, (key_node, value_node) in enumerate(node.value):
                if not isinstance(key_node, ScalarNode):
                    raise yaml.constructor.ConstructorError(
                        None, None, "a key must be a plain name", key_node.start_mark
                    )
                key = key_node.value  # as written: `1:` and `true:` are two names
                if key in out and index >= merged and _written(node, key, merged, index):
                    line = key_node.start_mark.line + 1
                    raise DuplicateKey(key, f" (line {line})")
                out[key] = self.construct_object(value_node, deep=deep)
            return out

    def _written(node: Any, key: str, merged: int, index: int) -> bool:
        """*key* appears among the keys written in this mapping before *index*."""
        return any(k.value == key for k, _ in node.value[merged:index])

    Loader.add_implicit_resolver("tag:yaml.org,2002:float", _YAML_FLOAT, list("-+0123456789."))
    return Loader
