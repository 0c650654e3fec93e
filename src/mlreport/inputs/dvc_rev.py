"""Files DVC tracks, as they are at a git ref: cached outputs are not in git (dvc.lock or a
``.dvc`` file holds their hash, the DVC cache their content), so ``git show`` cannot read
them; ``dvc.api.read(path, rev=REF)`` can, from the local cache (or the remote).

Whether a file is tracked is decided from git alone (REF's ``dvc.lock`` files and ``.dvc``
files); DVC (the ``[dvc]`` extra) is imported only to read one that is.
"""

from __future__ import annotations

import subprocess
from pathlib import Path, PurePosixPath
from typing import Any

from mlreport import git
from mlreport.errors import BaselineNotFound, InputError, UsageError
from mlreport.inputs.structured import parse_yaml

EXTRA_HINT = "pip install 'mlreport[dvc]'"


def read_tracked(ref: str, root: Path, name: str, path: Path) -> bytes | None:
    """*name* (relative to the repository *root*) as DVC tracks it at REF, or None when DVC
    does not track it there (or this is not a DVC repository)."""
    if not (root / ".dvc").is_dir() or not tracked_at(ref, root, name):
        return None
    try:
        import dvc.api  # type: ignore[import-untyped,import-not-found,unused-ignore]
        from dvc.exceptions import (  # type: ignore[import-untyped,import-not-found,unused-ignore]
            PathMissingError,
        )
    except ImportError:
        raise UsageError(
            f"{path}: DVC tracks it at '{ref}' (it is not in git), and reading it needs DVC",
            EXTRA_HINT,
        ) from None
    try:
        data: bytes = dvc.api.read(name, repo=str(root), rev=ref, mode="rb")
    except (FileNotFoundError, PathMissingError):  # tracked, but not in the cache
        detail = "its content is not in the DVC cache"
    except Exception as exc:  # DVC's own errors: a broken remote, a corrupt cache
        detail = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
    else:
        return data
    raise BaselineNotFound(
        path,
        f"DVC tracks it at '{ref}', but could not read it ({detail})",
        "fetch it into the DVC cache first (dvc fetch --all-branches, or --all-tags; in CI "
        "with the DVC remote's credentials), or dvc push it from the run that made it",
    )


def tracked_at(ref: str, root: Path, name: str) -> bool:
    """Whether a dvc.lock or a .dvc file of REF declares *name* (or a folder holding it)."""
    target = PurePosixPath(name)
    folders = [PurePosixPath(), *reversed(target.parents[:-1])]
    for folder in folders:
        lock = _show(ref, root, (folder / "dvc.lock").as_posix())
        if lock is not None and _declares(lock, folder, target):
            return True
    for candidate in (target, *target.parents[:-1]):
        if _show(ref, root, f"{candidate.as_posix()}.dvc") is not None:
            return True
    return False


def _declares(lock: bytes, folder: PurePosixPath, target: PurePosixPath) -> bool:
    try:
        data = parse_yaml(lock.decode("utf-8", errors="replace"), "dvc.lock")
    except InputError:
        return False
    stages = data.get("stages") if isinstance(data, dict) else None
    if not isinstance(stages, dict):
        return False
    for stage in stages.values():
        outs: Any = stage.get("outs") if isinstance(stage, dict) else None
        for out in outs if isinstance(outs, list) else []:
            out_path = out.get("path") if isinstance(out, dict) else None
            if isinstance(out_path, str):
                declared = PurePosixPath(folder, out_path)
                if target == declared or declared in target.parents:
                    return True
    return False


def _show(ref: str, root: Path, name: str) -> bytes | None:
    done: subprocess.CompletedProcess[bytes] | None = git.run(["show", f"{ref}:{name}"], root)
    return done.stdout if done is not None and done.returncode == 0 else None
