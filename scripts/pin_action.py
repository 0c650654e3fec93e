#!/usr/bin/env python3
"""Point action.yml at a pushed image by digest: the released action pulls, never builds.

    python3 scripts/pin_action.py IMAGE@sha256:DIGEST [action.yml]

Rewrites the one ``image: Dockerfile`` line of ``runs:`` to ``image: docker://IMAGE@sha256:…``
and changes nothing else (comments, order and the rest of the file are kept byte for byte).
The release workflow (.github/workflows/release.yml) runs it on the released commit; the
repository's own action.yml keeps building the Dockerfile for development. Exit 2 when the
reference is not IMAGE@sha256:<64 hex digits> or the file has no such line.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

REFERENCE = re.compile(r"[a-z0-9][a-z0-9._/-]*(:[0-9]+)?(/[a-z0-9._-]+)*@sha256:[0-9a-f]{64}")
LINE = re.compile(r"^(?P<indent>[ ]+)image:[ ]*[\"']?Dockerfile[\"']?[ ]*$", re.MULTILINE)


def pin(text: str, reference: str) -> str:
    if not REFERENCE.fullmatch(reference):
        raise ValueError(f"{reference!r} is not IMAGE@sha256:<64 hex digits> (lower case)")
    found = LINE.findall(text)
    if len(found) != 1:
        raise ValueError(f"expected one 'image: Dockerfile' line, found {len(found)}")
    return LINE.sub(lambda m: f'{m["indent"]}image: "docker://{reference}"', text)


def main(argv: list[str]) -> int:
    if len(argv) not in (1, 2):
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    path = Path(argv[1] if len(argv) == 2 else "action.yml")
    try:
        path.write_text(pin(path.read_text(encoding="utf-8"), argv[0]), encoding="utf-8")
    except (OSError, ValueError) as exc:
        print(f"pin_action: {path}: {exc}", file=sys.stderr)
        return 2
    print(f"{path}: image: docker://{argv[0]}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
