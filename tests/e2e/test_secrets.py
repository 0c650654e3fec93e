"""No secret reaches anything that leaves mlreport, and no data can issue a workflow command.

Secrets: the token in use whatever its source (``--token`` from a variable of any name),
every secret-named variable, token-shaped text. Everything that leaves: stdout and stderr,
report.md, report.json, the charts, the comment, the check run, the job summary and step
outputs, the command line shown. Workflow commands: a line GitHub Actions would execute
(``::error``, ``::add-mask::``) is never made from data.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from tests.conftest import CLI, Result
from tests.e2e.test_publish_github import PR, REPO, actions  # noqa: F401
from tests.fakes.github import FakeGitHub
from tests.helpers import write_classification, write_json

PY = sys.executable
PAT = "ghp_" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8"  # a PAT, in a variable named MY_PAT
HF = "hf_zyxwvutsrqponmlkjihgfedcba0123456789"
SHAPED = "glpat-" + "Zz9Yy8Xx7Ww6Vv5Uu4Tt"  # in no variable at all, printed by training


def _everything(workdir: Path, github: FakeGitHub, files: dict[str, Path], result: Result) -> str:
    texts = [result.out, result.err]  # and all mlreport wrote (the inputs are the user's)
    texts += [p.read_bytes().decode("latin-1") for p in (workdir / "out").rglob("*")]
    texts += [c["body"] for c in github.comments(REPO, PR)]
    texts += [json.dumps(github.check_runs(REPO))]
    texts += [files["summary"].read_text(), files["output"].read_text()]
    return "\n".join(texts)


def test_the_token_in_use_and_secrets_never_leave(
    github: FakeGitHub,
    actions: dict[str, Path],  # noqa: F811
    workdir: Path,
    cli: CLI,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("GITHUB_TOKEN")  # the token comes from --token, from a variable ...
    monkeypatch.setenv("MY_PAT", PAT)  # ... whose name does not say it is one
    monkeypatch.setenv("HF_TOKEN", HF)
    github.token = PAT
    script = (
        "import json, os, sys\n"
        "print('pat', os.environ['MY_PAT'], 'hf', sys.argv[2], 'shaped', sys.argv[4])\n"
        f"json.dump({{'accuracy': 0.9, {PAT!r}: 1, 'shaped ' + sys.argv[4]: 2}},"
        " open('m.json', 'w'))\n"
    )
    write_classification(workdir / "p.csv", n=40, k=2, labels=["cat", f"dog {PAT}"])
    result = cli(
        "run", "-o", "out", "-m", "m.json", "-p", "p.csv", "--publish", "--check",
        "--token", PAT, "--",
        PY, "-c", script, "--hf-token", HF, "--password=" + SHAPED, SHAPED,
    )  # fmt: skip
    assert result.code == 0, result.output
    assert github.comments(REPO, PR), "the report was posted"
    everything = _everything(workdir, github, actions, result)
    for secret in (PAT, HF, SHAPED):
        assert secret not in everything
    assert "::add-mask::" not in everything
    markdown = (workdir / "out" / "report.md").read_text()
    assert "--hf-token '***'" in markdown or "--hf-token ***" in markdown
    assert "--password=***" in markdown
    tail = json.loads((workdir / "out" / "report.json").read_text())["run"]["output_tail"]
    assert tail == ["pat *** hf *** shaped ***"]


def test_a_secret_printed_in_pieces_is_still_masked(workdir: Path, cli: CLI) -> None:
    """A line that never ends (progress output) is passed on in pieces: no piece may cut a
    secret in two and so let its halves through."""
    script = (
        "import sys, time\n"
        f"sys.stdout.write('x' * 70000 + {PAT!r} + 'y' * 70000)\n"
        "sys.stdout.flush()\n"
    )
    result = cli("run", "-o", "out", "--token", PAT, "--", PY, "-c", script)
    assert result.code == 0
    assert PAT not in result.out and PAT[:20] not in result.out.replace("x", "")
    assert "***" in result.out


# -- workflow commands from data ----------------------------------------------------------

INJECTED = "x\n::error title=pwn::INJECTED"
STARTS = "::warning::at the start"


def _command_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.lstrip().startswith("::")]


def test_data_cannot_start_a_workflow_command(workdir: Path, cli: CLI) -> None:
    write_json(workdir / "m.json", {INJECTED: 0.9, STARTS: 0.1})
    write_classification(workdir / "p.csv", n=40, k=2, labels=["cat", INJECTED], proba=False)
    runs = [
        cli("render", "-m", "m.json", "-p", "p.csv", "-o", "out", "-g", f'"{STARTS}" >= 0.5'),
        cli("check", "-m", "m.json", "-g", f'"{STARTS}" >= 0.5'),
        cli("diff", "-m", "m.json", "-b", "m.json"),
        cli("diff", "-m", "m.json", "-b", "m.json", "--md"),
        cli("check", "-m", "m.json", "-g", "nope >= 1"),  # an error naming a metric
        cli("render", "-m", f"{INJECTED}.json"),  # a file name
        cli("publish", "out", "--platform", "local", "--dry-run"),
        cli("run", "-o", "out2", "-m", "m.json", "--", PY, "-c", "print('::error::mine')"),
        cli("publish", "out2", "--platform", "local", "--dry-run"),  # the output, re-printed
    ]
    assert [r.code for r in runs] == [1, 1, 0, 0, 2, 2, 0, 0, 0]
    for result in runs[:-2] + runs[-1:]:
        assert _command_lines(result.output) == [], result.output
    # the run command's own output is passed through as the program wrote it
    assert "::error::mine" in runs[-2].out.splitlines()


def test_an_error_is_one_line_whatever_it_names(workdir: Path, cli: CLI) -> None:
    write_json(workdir / "m.json", {"acc": 0.9})
    result = cli("diff", "-m", "m.json", "--baseline", "main\n::error::x")
    assert result.code == 2
    assert len(result.err.splitlines()) == 1
    assert _command_lines(result.err) == []
