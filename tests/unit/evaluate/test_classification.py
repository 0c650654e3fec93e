"""Classification metrics from counts, against scikit-learn on many random cases."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from sklearn import metrics as skm

from mlreport.evaluate.classification import (
    CLASSIFICATION_METRICS,
    binary_scores,
    class_counts,
    class_rows,
    confusion_matrix,
    log_loss,
    most_confused,
    scores,
)
from mlreport.evaluate.predictions import evaluate_classification
from tests.helpers import classification_data, classification_predictions, sk_approx

SEEDS = range(4)
KS = (2, 3, 10, 50)
LAYOUTS = ("uniform", "imbalanced", "pred_only", "true_only")


def labels_case(seed: int, k: int, layout: str) -> tuple[np.ndarray, np.ndarray]:
    """Random (y_true, y_pred) codes in ``0..k-1``; about 70% correct.

    ``imbalanced``: class frequencies halve from one class to the next (the rare ones are often
    absent altogether); ``pred_only``/``true_only``: the last class occurs only in y_pred/y_true.
    """
    rng = np.random.default_rng(1000 * k + seed)
    n = int(rng.integers(20, 500))
    if layout == "imbalanced":
        p = 0.5 ** np.arange(k)
        y_true = rng.choice(k, n, p=p / p.sum())
    else:
        y_true = rng.integers(0, k, n)
    y_pred = np.where(rng.random(n) < 0.7, y_true, rng.integers(0, k, n))
    last = k - 1
    if layout == "pred_only":
        y_true = np.where(y_true == last, 0, y_true)
        y_pred[:3] = last
    elif layout == "true_only":
        y_pred = np.where(y_pred == last, 0, y_pred)
        y_true[:3] = last
    return y_true, y_pred


def sklearn_scores(y_true: np.ndarray, y_pred: np.ndarray) -> dict[str, float]:
    """The summary metrics as scikit-learn computes them on these rows alone."""
    with warnings.catch_warnings():
        # balanced accuracy warns, then ignores classes predicted but never true
        warnings.filterwarnings("ignore", "y_pred contains classes not in y_true", UserWarning)
        warnings.filterwarnings("ignore", "A single label was found", UserWarning)  # 1-row group
        balanced = skm.balanced_accuracy_score(y_true, y_pred)
    out = {
        "accuracy": skm.accuracy_score(y_true, y_pred),
        "balanced_accuracy": balanced,
    }
    for average in ("macro", "weighted"):
        kwargs = {"average": average, "zero_division": 0}
        out[f"precision_{average}"] = skm.precision_score(y_true, y_pred, **kwargs)
        out[f"recall_{average}"] = skm.recall_score(y_true, y_pred, **kwargs)
        out[f"f1_{average}"] = skm.f1_score(y_true, y_pred, **kwargs)
    return {name: float(value) for name, value in out.items()}


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("k", KS)
@pytest.mark.parametrize("seed", SEEDS)
def test_scores_match_sklearn(seed: int, k: int, layout: str) -> None:
    y_true, y_pred = labels_case(seed, k, layout)
    if layout == "pred_only":
        assert k - 1 in y_pred and k - 1 not in y_true
    if layout == "true_only":
        assert k - 1 in y_true and k - 1 not in y_pred

    (ours,) = scores(class_counts(y_true, y_pred, k))

    assert set(ours) == set(CLASSIFICATION_METRICS)
    assert ours == sk_approx(sklearn_scores(y_true, y_pred))


def test_absent_classes_do_not_count_in_macro_averages() -> None:
    # classes 0..9 declared, only 1 and 3 occur: 1 is always right, 3 never predicted
    y_true = np.array([1, 1, 3, 3])
    y_pred = np.array([1, 1, 1, 1])

    (ours,) = scores(class_counts(y_true, y_pred, 10))

    # by hand: precision (1: 2/4, 3: 0), recall (1: 1, 3: 0), f1 (1: 2/3, 3: 0)
    assert ours["precision_macro"] == pytest.approx(0.25)
    assert ours["recall_macro"] == pytest.approx(0.5)
    assert ours["f1_macro"] == pytest.approx(1 / 3)
    assert ours["balanced_accuracy"] == pytest.approx(0.5)
    assert ours == sk_approx(sklearn_scores(y_true, y_pred))


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("k", KS)
@pytest.mark.parametrize("seed", SEEDS)
def test_class_rows_match_sklearn_per_class(seed: int, k: int, layout: str) -> None:
    y_true, y_pred = labels_case(seed, k, layout)
    names = tuple(f"c{i}" for i in range(k))

    rows = class_rows(class_counts(y_true, y_pred, k), names)

    precision, recall, f1, support = skm.precision_recall_fscore_support(
        y_true, y_pred, labels=np.arange(k), average=None, zero_division=0
    )
    assert [r.label for r in rows] == list(names)
    assert [r.precision for r in rows] == sk_approx(precision.tolist())
    assert [r.recall for r in rows] == sk_approx(recall.tolist())
    assert [r.f1 for r in rows] == sk_approx(f1.tolist())
    assert [r.support for r in rows] == support.tolist()
    assert [r.predicted for r in rows] == np.bincount(y_pred, minlength=k).tolist()


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("positive", [0, 1])
@pytest.mark.parametrize("seed", SEEDS)
def test_binary_scores_match_sklearn_pos_label(seed: int, positive: int, layout: str) -> None:
    y_true, y_pred = labels_case(seed, 2, layout)

    ours = binary_scores(class_counts(y_true, y_pred, 2), positive)

    kwargs = {"average": "binary", "pos_label": positive, "zero_division": 0}
    assert ours == sk_approx(
        {
            "precision": skm.precision_score(y_true, y_pred, **kwargs),
            "recall": skm.recall_score(y_true, y_pred, **kwargs),
            "f1": skm.f1_score(y_true, y_pred, **kwargs),
        }
    )


@pytest.mark.parametrize("positive", [0, 1])
def test_binary_scores_when_the_positive_class_never_occurs(positive: int) -> None:
    other = 1 - positive
    y = np.full(5, other)

    ours = binary_scores(class_counts(y, y, 2), positive)

    assert ours == {"precision": 0.0, "recall": 0.0, "f1": 0.0}
    kwargs = {"average": "binary", "pos_label": positive, "zero_division": 0}
    assert ours["f1"] == skm.f1_score(y, y, **kwargs)


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("k", KS)
@pytest.mark.parametrize("seed", SEEDS)
def test_confusion_matrix_matches_sklearn(seed: int, k: int, layout: str) -> None:
    y_true, y_pred = labels_case(seed, k, layout)

    ours = confusion_matrix(y_true, y_pred, k)

    np.testing.assert_array_equal(ours, skm.confusion_matrix(y_true, y_pred, labels=np.arange(k)))


@pytest.mark.parametrize("k", KS)
@pytest.mark.parametrize("seed", SEEDS)
def test_scores_per_group_equal_sklearn_on_each_group_alone(seed: int, k: int) -> None:
    y_true, y_pred = labels_case(seed, k, "imbalanced")
    rng = np.random.default_rng(seed)
    n_groups = 6
    groups = rng.integers(0, 4, y_true.size)  # groups 0-3 random, 4 empty ...
    groups[0] = 5  # ... and 5 a single row
    groups[1:3] = np.where(groups[1:3] == 5, 0, groups[1:3])

    per_group = scores(class_counts(y_true, y_pred, k, groups, n_groups))

    assert len(per_group) == n_groups
    for g in (0, 1, 2, 3, 5):
        rows = groups == g
        assert per_group[g] == sk_approx(sklearn_scores(y_true[rows], y_pred[rows])), g
    assert np.isnan(per_group[4]["accuracy"])
    assert np.isnan(per_group[4]["balanced_accuracy"])


def test_a_group_sees_only_its_own_classes() -> None:
    # group 0 has classes {0, 1}, group 1 has {2, 3} (3 only predicted): macro averages of a
    # group must not count the other group's classes
    y_true = np.array([0, 0, 1, 1, 2, 2, 2])
    y_pred = np.array([0, 1, 1, 1, 2, 3, 3])
    groups = np.array([0, 0, 0, 0, 1, 1, 1])

    per_group = scores(class_counts(y_true, y_pred, 4, groups, 2))

    for g in (0, 1):
        rows = groups == g
        assert per_group[g] == sk_approx(sklearn_scores(y_true[rows], y_pred[rows]))
    # by hand, group 1: class 2 precision 1, recall 1/3; class 3 precision 0, recall 0
    assert per_group[1]["precision_macro"] == pytest.approx(0.5)
    assert per_group[1]["recall_macro"] == pytest.approx(1 / 6)
    assert per_group[1]["balanced_accuracy"] == pytest.approx(1 / 3)


@pytest.mark.parametrize("k", KS)
@pytest.mark.parametrize("seed", SEEDS)
def test_log_loss_matches_sklearn(seed: int, k: int) -> None:
    y_true, _, proba = classification_data(n=200, k=k, seed=seed)
    # some rows certain: right (p = 1) and wrong (p = 0), where the clipping matters
    proba[:5] = np.eye(k)[y_true[:5]]
    proba[5:10] = np.eye(k)[(y_true[5:10] + 1) % k]

    ours = log_loss(proba[np.arange(y_true.size), y_true])

    assert ours == sk_approx(skm.log_loss(y_true, proba, labels=np.arange(k)))
    assert ours > -np.log(np.finfo(np.float64).eps) * 5 / 200  # the 5 wrong rows are clipped


@pytest.mark.parametrize("k", [3, 10])
@pytest.mark.parametrize("seed", SEEDS)
def test_evaluate_classification_with_probabilities(seed: int, k: int) -> None:
    y_true, y_pred, proba = classification_data(n=300, k=k, seed=seed)

    result = evaluate_classification(classification_predictions(y_true, y_pred, k, proba=proba))

    expected = sklearn_scores(y_true, y_pred)
    expected["log_loss"] = float(skm.log_loss(y_true, proba, labels=np.arange(k)))
    assert {m: result.metrics[m] for m in expected} == sk_approx(expected)
    assert "precision" not in result.metrics  # binary-only metrics
    assert result.pos_label is None
    np.testing.assert_array_equal(
        result.confusion, skm.confusion_matrix(y_true, y_pred, labels=np.arange(k))
    )


@pytest.mark.parametrize("positive", [0, 1])
@pytest.mark.parametrize("seed", SEEDS)
def test_evaluate_classification_binary_score(seed: int, positive: int) -> None:
    y_true, y_pred, proba = classification_data(n=250, k=2, seed=seed)
    score = proba[:, positive]  # the probability of the positive class

    result = evaluate_classification(
        classification_predictions(y_true, y_pred, 2, score=score, pos_label=positive)
    )

    kwargs = {"average": "binary", "pos_label": positive, "zero_division": 0}
    is_positive = y_true == positive
    expected = {
        "precision": skm.precision_score(y_true, y_pred, **kwargs),
        "recall": skm.recall_score(y_true, y_pred, **kwargs),
        "f1": skm.f1_score(y_true, y_pred, **kwargs),
        "log_loss": skm.log_loss(is_positive, score),
        "roc_auc": skm.roc_auc_score(is_positive, score),
        "average_precision": skm.average_precision_score(is_positive, score),
    }
    assert {m: result.metrics[m] for m in expected} == sk_approx(expected)
    assert result.pos_label == f"c{positive}"


def test_log_loss_left_out_when_probabilities_are_invalid() -> None:
    y_true, y_pred, proba = classification_data(n=50, k=3, seed=1)
    proba[3, y_true[3]] = np.nan

    result = evaluate_classification(classification_predictions(y_true, y_pred, 3, proba=proba))

    assert "log_loss" not in result.metrics
    assert any("log loss not computed" in note for note in result.notes)


# --- most_confused ---------------------------------------------------------------------------


def confusion(diagonal: list[int], errors: dict[tuple[int, int], int]) -> np.ndarray:
    cm = np.diag(np.array(diagonal, dtype=np.int64))
    for (true, predicted), count in errors.items():
        cm[true, predicted] = count
    return cm


# six classes; largest errors: 1->4 (9), 2->4 (7), 5->0 (5), 3->2 (2)
SIX = confusion([50, 40, 30, 20, 10, 5], {(1, 4): 9, (2, 4): 7, (5, 0): 5, (3, 2): 2})


@pytest.mark.parametrize(
    ("limit", "expected"),
    [
        (1, [1]),  # the true class of the largest cell first
        (2, [1, 4]),  # both classes of the largest cell
        (3, [1, 2, 4]),  # 2->4 adds only class 2
        (4, [1, 2, 4, 5]),  # 5->0 adds 5, then the limit is reached
        (5, [0, 1, 2, 4, 5]),
        (6, [0, 1, 2, 3, 4, 5]),
        (10, [0, 1, 2, 3, 4, 5]),
    ],
)
def test_most_confused_takes_the_largest_off_diagonal_cells(
    limit: int, expected: list[int]
) -> None:
    assert most_confused(SIX, limit).tolist() == expected


def test_most_confused_ignores_the_diagonal() -> None:
    # class 0 has by far the most correct predictions but takes part in no error
    cm = confusion([1000, 5, 5, 5], {(2, 3): 1})
    assert most_confused(cm, 2).tolist() == [2, 3]


def test_most_confused_fills_up_with_the_largest_classes() -> None:
    # one error (1->2); then the classes with most true rows: 4 (60) and 0 (50)
    cm = confusion([50, 3, 4, 30, 60], {(1, 2): 1})
    assert most_confused(cm, 4).tolist() == [0, 1, 2, 4]
    assert most_confused(cm, 5).tolist() == [0, 1, 2, 3, 4]


def test_most_confused_without_errors_is_the_largest_classes() -> None:
    cm = confusion([7, 90, 3, 40, 12], {})
    assert most_confused(cm, 2).tolist() == [1, 3]
    assert most_confused(cm, 3).tolist() == [1, 3, 4]


@pytest.mark.parametrize("limit", [1, 5, 20, 60])
@pytest.mark.parametrize("seed", SEEDS)
def test_most_confused_output_is_sorted_unique_and_limited(seed: int, limit: int) -> None:
    y_true, y_pred = labels_case(seed, 50, "imbalanced")
    cm = confusion_matrix(y_true, y_pred, 50)

    chosen = most_confused(cm, limit)

    assert chosen.tolist() == sorted(set(chosen.tolist()))
    assert chosen.size == min(limit, 50)
    off = cm.copy()
    np.fill_diagonal(off, 0)
    largest = {(int(t), int(p)) for t, p in np.argwhere(off == off.max())}  # may tie
    assert off.max() > 0
    if limit >= 2:
        assert any({t, p} <= set(chosen.tolist()) for t, p in largest)
