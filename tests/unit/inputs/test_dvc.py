"""DVC's files read without DVC: dvc.yaml's declarations, params files and their diff,
metrics namespaced by file, several history files, plots files by shape."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from mlreport.errors import InputError
from mlreport.inputs.dvc import dvc_files
from mlreport.inputs.history import load_histories
from mlreport.inputs.metrics import merge_files
from mlreport.inputs.params import diff_params, parse_params
from mlreport.inputs.plots import read_plots
from tests.helpers import write_json, write_text

DVC_YAML = """\
metrics: [top.json]
params: [extra.toml]
plots:
  - curves/roc.json: {x: fpr, y: tpr}
  - loss_plot: {x: step, y: {logs/train.tsv: loss, logs/val.tsv: loss}}
  - images
stages:
  prepare:
    cmd: python prep.py
    wdir: sub
    params: [prep.size, {conf.json: [a, b]}]
    metrics: [{m.json: {cache: false}}]
    plots: [p.csv]
  train:
    cmd: python train.py
    params: [train.lr]
    metrics: [eval/train.json, top.json]
  sweep:
    foreach: [1, 2]
    do:
      cmd: echo ${item}
      metrics: ["m${item}.json"]
  templated:
    cmd: echo
    metrics: ["${name}.json"]
"""


def test_dvc_yaml_declarations(tmp_path: Path) -> None:
    files = dvc_files(write_text(tmp_path / "dvc.yaml", DVC_YAML))
    rel = [p.relative_to(tmp_path).as_posix() for p in files.metrics]
    assert rel == ["top.json", "sub/m.json", "eval/train.json"]  # each once, in order
    params = [p.relative_to(tmp_path).as_posix() for p in files.params]
    assert params == ["extra.toml", "sub/params.yaml", "sub/conf.json", "params.yaml"]
    plots = [p.relative_to(tmp_path).as_posix() for p in files.plots]
    assert plots == ["curves/roc.json", "logs/train.tsv", "logs/val.tsv", "images", "sub/p.csv"]
    assert files.skipped == ("stage sweep (foreach/matrix)", "${name}.json")


def test_dvc_yaml_of_the_wrong_shape(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="'stages' is not a mapping"):
        dvc_files(write_text(tmp_path / "dvc.yaml", "stages: [a]\n"))


def test_metrics_sharing_a_name_are_namespaced_by_file() -> None:
    train, test, other = Path("eval/train.json"), Path("eval/test.json"), Path("o.json")
    merged = merge_files([(train, {"acc": 1, "n": 3}), (test, {"acc": 2}), (other, {"x": 4})])
    assert merged == {"eval/train.json:acc": 1, "n": 3, "eval/test.json:acc": 2, "x": 4}
    assert merge_files([(train, {"acc": 1})]) == {"acc": 1}
    assert merge_files([(train, {"acc": 1}), (train, {"acc": 1})]) == {"acc": 1}


def test_params_formats_and_flattening(tmp_path: Path) -> None:
    yaml = parse_params("train:\n  lr: 1e-3\n  layers: [1, 2]\nempty: {}\n", Path("p.yaml"))
    assert yaml == {"train.lr": 0.001, "train.layers": [1, 2], "empty": {}}
    assert parse_params('{"a": {"b": true}}', Path("p.json")) == {"a.b": True}
    assert parse_params("[a]\nb = 'x'\n", Path("p.toml")) == {"a.b": "x"}
    with pytest.raises(InputError, match=r"unknown params format '\.py'"):
        parse_params("x = 1", Path("p.py"))


def test_params_diff(tmp_path: Path) -> None:
    path = write_text(tmp_path / "params.yaml", "lr: 0.2\nseed: 1\nnew: true\nflag: 1\n")
    old = b"lr: 0.1\nseed: 1\ngone: x\nflag: true\n"
    rows, notes = diff_params([path, tmp_path / "missing.yaml"], "main", lambda ref, p: old)
    got = [(r.name, r.baseline, r.value, r.change) for r in rows]
    assert got == [
        ("lr", 0.1, 0.2, "modified"),
        ("new", None, True, "added"),
        ("flag", True, 1, "modified"),  # a boolean is not the number 1
        ("gone", "x", None, "removed"),
    ]
    assert notes == [f"params file {tmp_path / 'missing.yaml'} not found; left out"]
    everything, _ = diff_params([path], None)
    assert [(r.name, r.change) for r in everything][:2] == [("lr", None), ("seed", None)]


def test_history_files_merged_on_their_steps(tmp_path: Path) -> None:
    folder = tmp_path / "metrics"
    (folder / "train").mkdir(parents=True)
    (folder / "val").mkdir()
    write_text(folder / "train" / "loss.tsv", "step\tloss\n0\t1.0\n1\t0.5\n2\t0.25\n")
    write_text(folder / "val" / "loss.tsv", "step\tloss\n1\t0.7\n")
    write_text(folder / "lr.tsv", "timestamp\tstep\tlr\n1700000000\t0\t0.1\n")
    history = load_histories([folder])
    assert list(history.series) == ["lr", "train/loss", "val/loss"]
    assert history.x.tolist() == [0, 1, 2]
    assert np.isnan(history.series["val/loss"][[0, 2]]).all()
    assert history.series["val/loss"][1] == 0.7
    files = load_histories([folder / "train" / "loss.tsv", folder / "val" / "loss.tsv"])
    assert list(files.series) == ["train/loss", "val/loss"]
    one = load_histories([folder / "lr.tsv"])
    assert list(one.series) == ["lr"] and one.ignored == ("timestamp",)  # not a series
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputError, match="is a folder without history files"):
        load_histories([tmp_path / "empty"])


def test_plots_files_by_shape(tmp_path: Path) -> None:
    roc = write_json(tmp_path / "roc.json", {"roc": [{"fpr": 0, "tpr": 0, "threshold": 2}]})
    pr = write_json(tmp_path / "pr.json", {"precision_recall": [{"precision": 1, "recall": 0}]})
    rows = [{"actual": "a", "predicted": "b"}]
    confusion = write_json(tmp_path / "cm.json", rows)
    table = write_text(tmp_path / "cm.csv", "actual,predicted\na,a\n")
    steps = write_text(tmp_path / "h.csv", "epoch,loss\n1,2\n")
    other = write_text(tmp_path / "o.json", json.dumps({"x": [1]}))
    image = tmp_path / "a.png"
    plots = read_plots([roc, pr, confusion, table, steps, other, image, tmp_path / "gone.json"])
    assert plots.roc is not None and plots.roc.x.tolist() == [0.0]
    assert plots.precision_recall is not None and plots.precision_recall.y.tolist() == [1.0]
    assert plots.confusion == confusion and plots.history == [steps]
    assert plots.notes == [
        f"confusion rows of {table} not used: {confusion} is",
        f"plots file {other}: not a shape mlreport reads; left out",
        f"plots file {tmp_path / 'gone.json'} not found; left out",
    ]
    bad = write_json(tmp_path / "bad.json", {"roc": [{"fpr": "x", "tpr": 1}]})
    with pytest.raises(InputError, match="every point needs a numeric 'fpr'"):
        read_plots([bad])
