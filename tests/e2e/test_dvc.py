"""A real DVC project (issue 13): dvc.yaml's metrics, params and plots files, cached outputs
read at the baseline ref through DVC, metrics namespaced by file where two files share a
name, DVCLive's history TSVs and sklearn plots -- checked against DVC's own
``dvc metrics diff`` and ``dvc params diff``."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from mlreport.charts.history import quantity
from tests.conftest import CLI
from tests.helpers import write_json

pytest.importorskip("dvc")
pytest.importorskip("dvclive")

BIN = Path(sys.executable).parent
ENV = {
    "GIT_AUTHOR_NAME": "t",
    "GIT_AUTHOR_EMAIL": "t@example.com",
    "GIT_COMMITTER_NAME": "t",
    "GIT_COMMITTER_EMAIL": "t@example.com",
    "DVC_NO_ANALYTICS": "1",
    "DVCLIVE_LOGLEVEL": "ERROR",
}
TRAIN = """\
import json, os, yaml
p = yaml.safe_load(open("params.yaml"))
batch = json.load(open("config.json"))["batch"]
lr = p["train"]["lr"]
os.makedirs("eval", exist_ok=True)
json.dump({"acc": 0.8 + lr, "loss": 0.5 - lr, "batch": batch}, open("eval/train.json", "w"))
json.dump({"acc": 0.7 + lr, "loss": 0.6 - lr}, open("eval/test.json", "w"))
json.dump({"auc": 0.9 + p["seed"] / 100, "nested": {"f1": 0.5 + lr}}, open("summary.json", "w"))
"""
DVC_YAML = """\
stages:
  train:
    cmd: python train.py
    deps: [train.py]
    params: [train.lr, seed, {config.json: [batch]}]
    metrics:
      - eval/train.json
      - eval/test.json
      - summary.json:
          cache: false
"""
# DVCLive as a training script uses it: one TSV per metric and sklearn plots; it adds its
# files to dvc.yaml's top-level metrics, params and plots.
LIVE = """\
import sys
import numpy as np
from dvclive import Live
shift = float(sys.argv[1])
rng = np.random.default_rng(int(shift * 10))
with Live(save_dvc_exp=False) as live:
    live.log_param("dropout", 0.1 + shift)
    for step in range(6):
        live.log_metric("train/loss", 1 / (step + 1) - shift)
        live.log_metric("val/loss", 1.2 / (step + 1) - shift)
        live.log_metric("train/acc", 0.5 + step / 20 + shift)
        live.next_step()
    y = rng.integers(0, 2, 80)
    score = np.clip(y * 0.4 + rng.random(80) * 0.6, 0, 1)
    live.log_sklearn_plot("roc", y, score)
    live.log_sklearn_plot("precision_recall", y, score)
    live.log_sklearn_plot("confusion_matrix", y, (score > 0.5).astype(int))
"""


def run(cwd: Path, *args: str | Path) -> str:
    path = f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"
    done = subprocess.run(
        [str(a) for a in args],
        cwd=cwd,
        env={**os.environ, **ENV, "PATH": path},
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, f"{args}: {done.stdout}{done.stderr}"
    return done.stdout


def git(cwd: Path, *args: str) -> str:
    return run(cwd, "git", "-c", "init.defaultBranch=main", *args)


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """main: trained and committed (the cached metrics only in DVC's cache); the working
    tree: other params, trained again, not committed -- as before `dvc metrics diff main`."""
    root = tmp_path_factory.mktemp("dvc") / "project"
    root.mkdir()
    git(root, "init", "-q")
    run(root, BIN / "dvc", "init", "-q")
    git(root, "commit", "-qm", "dvc init")
    (root / "train.py").write_text(TRAIN)
    (root / "live.py").write_text(LIVE)
    (root / "dvc.yaml").write_text(DVC_YAML)
    (root / "params.yaml").write_text("train:\n  lr: 0.01\n  layers: [64, 32]\nseed: 1\nold: x\n")
    write_json(root / "config.json", {"batch": 32})
    run(root, BIN / "dvc", "repro", "-q")
    run(root, sys.executable, "live.py", "0")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "main")
    (root / "params.yaml").write_text("train:\n  lr: 0.02\n  layers: [64, 32]\nseed: 2\nnew: 5\n")
    write_json(root / "config.json", {"batch": 64})
    run(root, BIN / "dvc", "repro", "-q")
    run(root, sys.executable, "live.py", "0.05")
    return root


@pytest.fixture(autouse=True)
def _dvc_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in ENV.items():
        monkeypatch.setenv(name, value)


def dvc_json(project: Path, *args: str) -> Any:
    return json.loads(run(project, BIN / "dvc", *args, "--json"))


def test_cached_metrics_are_not_in_git(project: Path) -> None:
    committed = git(project, "ls-tree", "-r", "--name-only", "main").split()
    assert "eval/train.json" not in committed and "eval/test.json" not in committed
    assert "summary.json" in committed  # cache: false


def test_diff_matches_dvc_metrics_diff(project: Path, cli: CLI) -> None:
    reference = dvc_json(project, "metrics", "diff", "main", "--all")
    result = cli("diff", "--baseline", "main", "--json", cwd=project)
    assert result.code == 0, result.output
    assert (
        "from dvc.yaml: metrics dvclive/metrics.json, eval/train.json, eval/test.json, "
        "summary.json; params dvclive/params.yaml, params.yaml, config.json; plots "
    ) in result.err
    rows = {r["name"]: r for r in json.loads(result.out)}
    # a name two files share is namespaced by file, as `dvc exp show` names its columns
    counts = Counter(name for metrics in reference.values() for name in metrics)
    expected = {
        (name if counts[name] == 1 else f"{path}:{name}"): values
        for path, metrics in reference.items()
        for name, values in metrics.items()
    }
    from_files = {name: r for name, r in rows.items() if r["source"] in reference}
    assert set(from_files) == set(expected)
    assert {"eval/train.json:acc", "eval/test.json:acc", "eval/test.json:loss"} <= set(expected)
    assert {"batch", "nested.f1", "train.loss"} <= set(expected)  # in one file only: bare
    for name, values in expected.items():
        assert from_files[name]["value"] == pytest.approx(values["new"]), name
        assert from_files[name]["baseline"] == pytest.approx(values["old"]), name
    gate = cli("check", "-b", "main", "-g", "eval/test.json:acc >= baseline", cwd=project)
    assert gate.code == 0 and "pass    eval/test.json:acc >= baseline" in gate.out, gate.output


def test_params_match_dvc_params_diff(project: Path, cli: CLI, tmp_path: Path) -> None:
    reference = dvc_json(project, "params", "diff", "main")
    result = cli("render", "--baseline", "main", "-o", tmp_path / "out", cwd=project)
    assert result.code == 0, result.output
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    ours = {(p["file"], p["name"]): (p["baseline"], p["value"]) for p in report["params"]}
    theirs = {
        (file, name): (change["old"], change["new"])
        for file, changes in reference.items()
        for name, change in changes.items()
    }
    assert ours == theirs
    assert ("params.yaml", "old") in ours and ("config.json", "batch") in ours
    changes = {(p["file"], p["name"]): p["change"] for p in report["params"]}
    assert changes[("params.yaml", "new")] == "added"
    assert changes[("params.yaml", "old")] == "removed"
    assert changes[("params.yaml", "train.lr")] == "modified"
    markdown = (tmp_path / "out" / "report.md").read_text()
    assert "### Params" in markdown
    assert "| `train.lr` | `params.yaml` | `0.01` | `0.02` | modified |" in markdown
    assert "| `new` | `params.yaml` | — | `5` | added |" in markdown


def test_render_takes_dvclive_history_and_plots(project: Path, cli: CLI, tmp_path: Path) -> None:
    result = cli("render", "--baseline", "main", "-o", tmp_path / "out", cwd=project)
    assert result.code == 0, result.output
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    assert set(report["images"]) == {"confusion_matrix", "curves", "history"}
    history = report["history"]
    assert sorted(history["series"]) == ["train/acc", "train/loss", "val/loss"]
    assert history["x"] == "step" and history["steps"] == 6
    assert history["final"]["val/loss"] == pytest.approx(1.2 / 6 - 0.05)
    assert Counter(quantity(s) for s in history["series"]) == {"loss": 2, "acc": 1}
    # the confusion rows are the predictions: the matrix counts them
    rows = json.loads((project / "dvclive/plots/sklearn/confusion_matrix.json").read_text())
    assert report["inputs"]["predictions"] == "dvclive/plots/sklearn/confusion_matrix.json"
    labels = report["classification"]["labels"]
    counts = Counter((r["actual"], r["predicted"]) for r in rows)
    matrix = [[counts[(t, p)] for p in labels] for t in labels]
    assert report["classification"]["confusion_matrix"] == matrix
    accuracy = next(m for m in report["metrics"] if m["name"] == "accuracy")
    assert accuracy["value"] == pytest.approx(sum(counts[(lb, lb)] for lb in labels) / len(rows))
    assert accuracy["baseline"] is not None  # main's confusion rows, evaluated again
    notes = " ".join(report["notes"])
    assert "plots dvclive/plots/metrics, dvclive/plots/sklearn/roc.json" in notes


def test_several_history_files_and_folders(project: Path, cli: CLI, tmp_path: Path) -> None:
    metrics = project / "dvclive" / "plots" / "metrics"
    result = cli(
        "render",
        "--no-dvc",
        "--history",
        metrics / "train" / "loss.tsv",
        "--history",
        metrics / "val" / "loss.tsv",
        "-o",
        tmp_path / "files",
        cwd=project,
    )
    assert result.code == 0, result.output
    history = json.loads((tmp_path / "files" / "report.json").read_text())["history"]
    assert history["series"] == ["train/loss", "val/loss"]  # both were 'loss': qualified
    assert len(history["paths"]) == 2
    assert cli("render", "--no-dvc", "--history", metrics, "-o", tmp_path / "dir").code == 0
    folder = json.loads((tmp_path / "dir" / "report.json").read_text())["history"]
    assert folder["series"] == ["train/acc", "train/loss", "val/loss"]


def test_params_without_dvc(workdir: Path, cli: CLI) -> None:
    git(workdir, "init", "-q")
    (workdir / "params.yaml").write_text("lr: 0.1\nlayers: [1, 2]\n")
    write_json(workdir / "m.json", {"acc": 0.5})
    git(workdir, "add", "-A")
    git(workdir, "commit", "-qm", "main")
    (workdir / "params.yaml").write_text("lr: 0.2\nlayers: [1, 2, 3]\n")
    result = cli("render", "-m", "m.json", "--params", "params.yaml", "-b", "main", "-o", "out")
    assert result.code == 0, result.output
    params = json.loads((workdir / "out" / "report.json").read_text())["params"]
    assert [(p["name"], p["baseline"], p["value"], p["change"]) for p in params] == [
        ("lr", 0.1, 0.2, "modified"),
        ("layers", [1, 2], [1, 2, 3], "modified"),
    ]
    assert cli("render", "-m", "m.json", "-o", "none").code == 0
    assert json.loads((workdir / "none" / "report.json").read_text())["params"] == []
    assert "### Params" not in (workdir / "none" / "report.md").read_text()


def test_without_dvc_installed_the_error_names_the_extra(project: Path) -> None:
    code = (
        "import sys\n"
        "sys.modules['dvc'] = None\n"  # as if DVC were not installed
        "from mlreport.cli import main\n"
        "sys.exit(main(['diff', '--baseline', 'main']))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=project, capture_output=True, text=True, check=False
    )
    assert done.returncode == 2, done.stderr
    error = done.stderr.strip().splitlines()[-1]  # after the note on dvc.yaml: one line
    assert error == (
        "mlreport: error: eval/train.json: DVC tracks it at 'main' (it is not in git), and "
        "reading it needs DVC; pip install 'mlreport[dvc]'"
    )


def test_a_cached_output_missing_from_the_cache(project: Path, cli: CLI, tmp_path: Path) -> None:
    clone = tmp_path / "clone"
    shutil.copytree(project, clone, symlinks=True)
    shutil.rmtree(clone / ".dvc" / "cache")
    failing = cli("diff", "--baseline", "main", cwd=clone)
    assert failing.code == 2
    assert failing.err.splitlines()[-1].startswith(
        "mlreport: error: eval/train.json: DVC tracks it at 'main', but could not read it "
        "(its content is not in the DVC cache); fetch it into the DVC cache first"
    )
    optional = cli("diff", "--baseline", "main", "--baseline-optional", "--json", cwd=clone)
    assert optional.code == 0, optional.output
    assert all(row["baseline"] is None for row in json.loads(optional.out))


def test_dvc_is_not_imported_at_start_up(project: Path) -> None:
    code = (
        "import sys\n"
        "from mlreport.cli import main\n"
        "main(['diff', '--help'])\n"
        "print('LOADED', sorted(m for m in sys.modules if m.split('.')[0] in ('dvc', 'dvclive')))\n"
    )
    out = run(project, sys.executable, "-c", code)
    assert out.splitlines()[-1] == "LOADED []"


def test_dvc_flag_without_dvc_yaml_is_a_usage_error(workdir: Path, cli: CLI) -> None:
    result = cli("diff", "--dvc")
    assert result.code == 2
    assert "--dvc: no dvc.yaml in the working directory or at the repository root" in result.err
