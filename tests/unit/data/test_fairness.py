"""Fairness per sensitive column: every group's rates and the three disparity measures equal
fairlearn's (MetricFrame, demographic_parity_*, equalized_odds_difference), binary and
multiclass one-vs-rest, with text and numeric columns, missing values and odd groups."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pytest
from fairlearn.metrics import (  # type: ignore[import-untyped]
    MetricFrame,
    count,
    demographic_parity_difference,
    demographic_parity_ratio,
    equalized_odds_difference,
    false_positive_rate,
    selection_rate,
    true_positive_rate,
)
from sklearn.metrics import accuracy_score

from mlreport.data.fairness import (
    MAX_NUMERIC_GROUPS,
    MEASURES,
    Fairness,
    GroupRates,
    fairness,
    measures,
)
from mlreport.data.frame import Column, column_of
from mlreport.inputs.tables import Raw

RATES = {
    "selection_rate": selection_rate,
    "tpr": true_positive_rate,
    "fpr": false_positive_rate,
    "n": count,
}


def text_column(values: Sequence[str | None], name: str = "group") -> Column:
    """A column as a reader would give it: codes into the distinct values (None: missing)."""
    distinct = list(dict.fromkeys(values))
    codes = np.array([distinct.index(v) for v in values], dtype=np.int64)
    return column_of(Raw(name, "codes", codes, tuple(distinct)))


def numeric_column(values: np.ndarray, name: str = "age") -> Column:
    return column_of(Raw(name, "float", np.asarray(values, dtype=np.float64)))


def random_task(
    seed: int, n: int, k: int, n_groups: int
) -> tuple[np.ndarray, np.ndarray, list[str | None]]:
    """Codes of *k* classes, 75% right, and text groups of uneven sizes: the last one tiny,
    some values missing."""
    rng = np.random.default_rng(seed)
    y_true = rng.integers(0, k, n)
    y_pred = np.where(rng.random(n) < 0.75, y_true, rng.integers(0, k, n))
    weights = rng.random(n_groups) + 0.5
    groups = rng.choice(n_groups, n, p=weights / weights.sum())
    groups[: n // 20] = -1  # missing
    groups[groups == n_groups - 1] = 0
    groups[n // 20 : n // 20 + 3] = n_groups - 1  # a tiny group: 3 rows
    names = [f"g{g}" if g >= 0 else None for g in groups]
    return y_true, y_pred, names


def fairlearn_binary(
    y_true: np.ndarray, y_pred: np.ndarray, groups: Sequence[object]
) -> tuple[dict[str, dict[str, float]], dict[str, float]]:
    """fairlearn on 0/1 arrays: {group: {rate: value}} and the three measures."""
    sensitive = np.asarray(groups, dtype=object)
    frame = MetricFrame(metrics=RATES, y_true=y_true, y_pred=y_pred, sensitive_features=sensitive)
    by_group = {str(g): dict(row) for g, row in frame.by_group.iterrows()}
    found = {
        "demographic_parity_difference": demographic_parity_difference(
            y_true, y_pred, sensitive_features=sensitive
        ),
        "demographic_parity_ratio": demographic_parity_ratio(
            y_true, y_pred, sensitive_features=sensitive
        ),
        "equalized_odds_difference": equalized_odds_difference(
            y_true, y_pred, sensitive_features=sensitive
        ),
    }
    return by_group, {m: float(v) for m, v in found.items()}


def present(
    y_true: np.ndarray, y_pred: np.ndarray, groups: Sequence[str | None]
) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """The rows with a group (fairlearn refuses missing values)."""
    keep = np.array([g is not None for g in groups])
    return y_true[keep], y_pred[keep], [g for g in groups if g is not None]


def assert_rates_equal(rows: list[GroupRates], expected: dict[str, dict[str, float]]) -> None:
    """Our rates are fairlearn's, except that an undefined TPR/FPR is NaN, not 0."""
    assert sorted(r.group for r in rows) == sorted(expected)
    for row in rows:
        want = expected[row.group]
        assert row.n == want["n"]
        assert row.selection_rate == pytest.approx(want["selection_rate"], abs=1e-12)
        for rate in ("tpr", "fpr"):
            ours = getattr(row, rate)
            assert (ours if not math.isnan(ours) else 0.0) == pytest.approx(want[rate], abs=1e-12)


def assert_measures_equal(result: Fairness, expected: dict[str, float]) -> None:
    assert measures(result) == pytest.approx(expected, abs=1e-12, nan_ok=True)


# --- against fairlearn -----------------------------------------------------------------------


@pytest.mark.parametrize("n_groups", [2, 3, 6])
@pytest.mark.parametrize("seed", range(4))
def test_binary_equals_fairlearn(seed: int, n_groups: int) -> None:
    y_true, y_pred, groups = random_task(seed, 800, 2, n_groups)
    result = fairness(y_true, y_pred, ("no", "yes"), 1, text_column(groups))

    t, p, g = present(y_true, y_pred, groups)
    by_group, expected = fairlearn_binary(t, p, g)
    assert_rates_equal(result.groups, by_group)
    assert_measures_equal(result, expected)
    for row in result.groups:
        rows = np.array(g) == row.group
        assert row.accuracy == pytest.approx(accuracy_score(t[rows], p[rows]))
    assert result.positive == "yes"


@pytest.mark.parametrize("seed", range(3))
def test_binary_with_the_first_label_positive_equals_fairlearn(seed: int) -> None:
    y_true, y_pred, groups = random_task(seed, 500, 2, 4)
    result = fairness(y_true, y_pred, ("bad", "good"), 0, text_column(groups))

    t, p, g = present(y_true, y_pred, groups)
    by_group, expected = fairlearn_binary((t == 0).astype(int), (p == 0).astype(int), g)
    assert_rates_equal(result.groups, by_group)
    assert_measures_equal(result, expected)
    assert result.positive == "bad"


@pytest.mark.parametrize(("k", "n_groups"), [(3, 2), (4, 5), (5, 3), (6, 6)])
@pytest.mark.parametrize("seed", range(3))
def test_multiclass_takes_each_measures_worst_class_of_fairlearns(
    seed: int, k: int, n_groups: int
) -> None:
    y_true, y_pred, groups = random_task(seed, 900, k, n_groups)
    labels = tuple(f"c{i}" for i in range(k))
    result = fairness(y_true, y_pred, labels, None, text_column(groups))

    t, p, g = present(y_true, y_pred, groups)
    per_class = [fairlearn_binary((t == c).astype(int), (p == c).astype(int), g) for c in range(k)]
    dpd = [m["demographic_parity_difference"] for _, m in per_class]
    dpr = [m["demographic_parity_ratio"] for _, m in per_class]
    eod = [m["equalized_odds_difference"] for _, m in per_class]
    assert result.demographic_parity_difference == pytest.approx(max(dpd), abs=1e-12)
    assert result.demographic_parity_ratio == pytest.approx(np.nanmin(dpr), abs=1e-12)
    assert result.equalized_odds_difference == pytest.approx(max(eod), abs=1e-12)
    worst = int(np.argmax(dpd))
    assert result.positive == labels[worst]
    assert_rates_equal(result.groups, per_class[worst][0])
    for row in result.groups:
        rows = np.array(g) == row.group
        assert row.accuracy == pytest.approx(accuracy_score(t[rows], p[rows]))  # all classes
    assert any(note.startswith("one-vs-rest for each class") for note in result.notes)


def test_a_label_given_of_many_is_that_class_against_the_rest() -> None:
    y_true, y_pred, groups = random_task(7, 600, 4, 3)
    result = fairness(y_true, y_pred, ("a", "b", "c", "d"), 2, text_column(groups))

    t, p, g = present(y_true, y_pred, groups)
    by_group, expected = fairlearn_binary((t == 2).astype(int), (p == 2).astype(int), g)
    assert_rates_equal(result.groups, by_group)
    assert_measures_equal(result, expected)
    assert result.positive == "c"
    assert not any("one-vs-rest" in note for note in result.notes)


@pytest.mark.parametrize("seed", range(3))
def test_numeric_column_each_value_a_group_equals_fairlearn(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = 700
    y_true, y_pred = rng.integers(0, 2, n), rng.integers(0, 2, n)
    values = rng.choice([18.0, 30.0, 42.5, 65.0], n)
    values[rng.random(n) < 0.1] = np.nan
    result = fairness(y_true, y_pred, ("0", "1"), 1, numeric_column(values))

    keep = ~np.isnan(values)
    shown = {18.0: "18", 30.0: "30", 42.5: "42.5", 65.0: "65"}
    groups = [shown[v] for v in values[keep]]
    by_group, expected = fairlearn_binary(y_true[keep], y_pred[keep], groups)
    assert [r.group for r in result.groups] == ["18", "30", "42.5", "65"]  # ascending
    assert_rates_equal(result.groups, by_group)
    assert_measures_equal(result, expected)
    assert f"{int((~keep).sum()):,} rows with no value of 'age' are in no group" in result.notes


def test_group_without_positives_has_no_tpr_and_counts_as_zero_like_fairlearn() -> None:
    y_true, y_pred, groups = random_task(3, 600, 2, 3)
    only = np.array([g == "g1" for g in groups])
    y_true = np.where(only, 0, y_true)  # g1: no positives
    result = fairness(y_true, y_pred, ("no", "yes"), 1, text_column(groups))

    t, p, g = present(y_true, y_pred, groups)
    by_group, expected = fairlearn_binary(t, p, g)
    assert by_group["g1"]["tpr"] == 0.0
    row = next(r for r in result.groups if r.group == "g1")
    assert math.isnan(row.tpr)
    assert not math.isnan(row.fpr)
    assert_measures_equal(result, expected)
    assert (
        "no true 'yes' in 'g1': TPR undefined, counted as 0 in the equalized odds difference "
        "(as fairlearn does)" in result.notes
    )


def test_group_without_negatives_has_no_fpr_and_counts_as_zero_like_fairlearn() -> None:
    y_true, y_pred, groups = random_task(4, 600, 2, 4)
    y_true = np.where(np.array([g == "g2" for g in groups]), 1, y_true)
    result = fairness(y_true, y_pred, ("no", "yes"), 1, text_column(groups))

    t, p, g = present(y_true, y_pred, groups)
    by_group, expected = fairlearn_binary(t, p, g)
    assert math.isnan(next(r for r in result.groups if r.group == "g2").fpr)
    assert_rates_equal(result.groups, by_group)
    assert_measures_equal(result, expected)
    assert any(note.startswith("only true 'yes' in 'g2': FPR undefined") for note in result.notes)


def test_no_prediction_of_the_positive_class_gives_a_nan_ratio_like_fairlearn() -> None:
    y_true, _, groups = random_task(5, 300, 2, 3)
    y_pred = np.zeros_like(y_true)
    result = fairness(y_true, y_pred, ("no", "yes"), 1, text_column(groups))

    t, p, g = present(y_true, y_pred, groups)
    _, expected = fairlearn_binary(t, p, g)
    assert math.isnan(expected["demographic_parity_ratio"])
    assert_measures_equal(result, expected)
    assert result.demographic_parity_difference == 0.0
    assert "no group has a prediction of the positive class: the ratio is undefined" in (
        result.notes
    )


# --- exactly, by hand ------------------------------------------------------------------------


def test_hand_made_table() -> None:
    # group a: 4 rows, truth 0 0 1 1, predicted 0 1 1 0 -> selection 2/4, TPR 1/2, FPR 1/2
    # group b: 3 rows, truth 0 0 0, predicted 0 1 1 -> selection 2/3, TPR -, FPR 2/3
    # group c: 2 rows, truth 1 1, predicted 1 0 -> selection 1/2, TPR 1/2, FPR -
    # one row without a group
    y_true = np.array([0, 0, 1, 1, 0, 0, 0, 1, 1, 1])
    y_pred = np.array([0, 1, 1, 0, 0, 1, 1, 1, 0, 1])
    sex = text_column(["a", "a", "a", "a", "b", "b", "b", "c", "c", ""], name="sex")
    result = fairness(y_true, y_pred, ("n", "y"), 1, sex, min_size=3)

    assert [shown(r) for r in result.groups] == [
        ("a", 4, 0.5, 0.5, 0.5, 0.5, False),
        ("b", 3, pytest.approx(2 / 3), "NaN", pytest.approx(2 / 3), pytest.approx(1 / 3), False),
        ("c", 2, 0.5, 0.5, "NaN", 0.5, True),
    ]
    assert result.demographic_parity_difference == pytest.approx(2 / 3 - 1 / 2)
    assert result.demographic_parity_ratio == pytest.approx(0.75)
    # TPR: a 1/2, b 0 (undefined, as fairlearn), c 1/2 -> 1/2; FPR: 1/2, 2/3, 0 -> 2/3
    assert result.equalized_odds_difference == pytest.approx(2 / 3)
    assert result.column == "sex"
    assert result.positive == "y"
    assert result.notes == [
        "1 rows with no value of 'sex' are in no group",
        "'c' (2) has fewer than 3 rows: noisy rates, still counted in the measures "
        "(as fairlearn does)",
        "no true 'y' in 'b': TPR undefined, counted as 0 in the equalized odds difference "
        "(as fairlearn does)",
        "only true 'y' in 'c': FPR undefined, counted as 0 in the equalized odds difference "
        "(as fairlearn does)",
    ]
    assert measures(result) == {
        "demographic_parity_difference": result.demographic_parity_difference,
        "demographic_parity_ratio": 0.75,
        "equalized_odds_difference": result.equalized_odds_difference,
    }
    assert tuple(measures(result)) == MEASURES


def shown(row: GroupRates) -> tuple[object, ...]:
    """The row's fields, NaN as "NaN" (NaN != NaN)."""
    return tuple("NaN" if isinstance(v, float) and math.isnan(v) else v for v in vars(row).values())


def test_multiclass_hand_made_worst_classes() -> None:
    # classes x, y, z; groups p (4 rows) and q (4 rows)
    # selection x: p 2/4, q 0/4 -> dpd 1/2; y: p 1/4, q 2/4 -> 1/4; z: p 1/4, q 2/4 -> 1/4
    # ratios: x 0, y 1/2, z 1/2 -> worst ratio x
    y_true = np.array([0, 0, 1, 2, 1, 1, 2, 2])
    y_pred = np.array([0, 0, 1, 2, 1, 1, 2, 2])
    sensitive = text_column(["p", "p", "p", "p", "q", "q", "q", "q"])
    result = fairness(y_true, y_pred, ("x", "y", "z"), None, sensitive)

    assert result.positive == "x"
    assert result.demographic_parity_difference == pytest.approx(0.5)
    assert result.demographic_parity_ratio == 0.0
    # perfect predictions, but q has no true x: its TPR for x counts as 0 -> 1
    assert result.equalized_odds_difference == pytest.approx(1.0)
    assert [(r.group, r.selection_rate, r.accuracy) for r in result.groups] == [
        ("p", 0.5, 1.0),
        ("q", 0.0, 1.0),
    ]
    assert result.notes[0] == (
        "one-vs-rest for each class; each measure is its worst over them: demographic parity "
        "difference for 'x', ratio for 'x', equalized odds difference for 'x'; the groups' "
        "rates are 'x''s"
    )


# --- groups ----------------------------------------------------------------------------------


def test_many_numeric_values_are_cut_into_quantile_bins() -> None:
    rng = np.random.default_rng(11)
    n = 2_000
    ages = rng.integers(18, 90, n).astype(np.float64)  # 72 distinct values
    ages[:25] = np.nan
    y_true, y_pred = rng.integers(0, 2, n), rng.integers(0, 2, n)
    result = fairness(y_true, y_pred, ("0", "1"), 1, numeric_column(ages))

    assert len(np.unique(ages[~np.isnan(ages)])) > MAX_NUMERIC_GROUPS
    assert 5 <= len(result.groups) <= 10
    assert any("quantile bins (fairlearn would make each value a group)" in n for n in result.notes)
    bounds = [tuple(float(x) for x in r.group[1:-1].split(", ")) for r in result.groups]
    assert result.groups[-1].group.endswith("]")
    assert bounds[0][0] == np.nanmin(ages)
    assert bounds[-1][1] == np.nanmax(ages)
    assert all(bounds[i][1] == bounds[i + 1][0] for i in range(len(bounds) - 1))

    def bin_of(age: float) -> str:
        for (low, high), row in zip(bounds, result.groups, strict=True):
            if low <= age < high or (row is result.groups[-1] and age == high):
                return row.group
        raise AssertionError(age)

    keep = ~np.isnan(ages)
    groups = [bin_of(a) for a in ages[keep]]
    by_group, expected = fairlearn_binary(y_true[keep], y_pred[keep], groups)
    assert_rates_equal(result.groups, by_group)
    assert_measures_equal(result, expected)
    assert max(r.n for r in result.groups) < 3 * (n / len(result.groups))  # roughly even


def test_non_integral_numeric_values_are_groups_in_order() -> None:
    values = np.array([0.5, -1.25, 0.5, 1e9 + 0.5, -1.25, np.nan])
    result = fairness(
        np.array([1, 0, 1, 0, 1, 1]),
        np.array([1, 1, 0, 0, 1, 1]),
        ("0", "1"),
        1,
        numeric_column(values, "score"),
    )
    assert [(r.group, r.n) for r in result.groups] == [
        ("-1.25", 2),
        ("0.5", 2),
        ("1000000000.5", 1),
    ]


def test_categories_without_rows_form_no_group() -> None:
    column = Column(
        "region", "categorical", codes=np.array([0, 0, 2, 2]), categories=("n", "s", "e")
    )
    result = fairness(np.array([0, 1, 0, 1]), np.array([0, 1, 1, 1]), ("0", "1"), 1, column)
    assert [r.group for r in result.groups] == ["n", "e"]


def test_small_groups_are_flagged_counted_and_named() -> None:
    groups = ["big"] * 20 + ["small"] * 2 + ["tiny"]
    y_true = np.array([0, 1] * 10 + [1, 1, 1])
    y_pred = np.array([0, 1] * 10 + [0, 0, 1])
    result = fairness(y_true, y_pred, ("0", "1"), 1, text_column(groups), min_size=5)

    assert [(r.group, r.small) for r in result.groups] == [
        ("big", False),
        ("small", True),
        ("tiny", True),
    ]
    assert result.demographic_parity_difference == pytest.approx(1.0)  # tiny selects all
    assert (
        "'small' (2), 'tiny' (1) have fewer than 5 rows: noisy rates, still counted in the "
        "measures (as fairlearn does)" in result.notes
    )


def test_one_group_has_nothing_to_compare() -> None:
    result = fairness(
        np.array([0, 1, 1]), np.array([1, 1, 0]), ("0", "1"), 1, text_column(["a"] * 3)
    )
    _, expected = fairlearn_binary(np.array([0, 1, 1]), np.array([1, 1, 0]), ["a"] * 3)
    assert_measures_equal(result, expected)
    assert measures(result) == {
        "demographic_parity_difference": 0.0,
        "demographic_parity_ratio": 1.0,
        "equalized_odds_difference": 0.0,
    }
    assert "one group only ('a'): nothing to compare it with" in result.notes


def test_no_value_at_all_gives_nan_measures() -> None:
    column = numeric_column(np.full(4, np.nan))
    result = fairness(np.array([0, 1, 1, 0]), np.array([0, 1, 0, 0]), ("0", "1"), 1, column)
    assert result.groups == []
    assert all(math.isnan(v) for v in measures(result).values())
    assert result.positive == "1"
    assert result.notes == [
        "4 rows with no value of 'age' are in no group",
        "no rows with a value of 'age': nothing to compare",
    ]


def test_rows_and_values_of_different_lengths_are_an_error() -> None:
    with pytest.raises(ValueError, match="3 true values, 3 predictions and 2 values of 'g'"):
        fairness(np.zeros(3, int), np.zeros(3, int), ("0", "1"), 1, text_column(["a", "b"], "g"))


def test_a_million_values_are_binned_into_deciles() -> None:
    rng = np.random.default_rng(0)
    n = 1_000_000
    y_true = rng.integers(0, 2, n)
    y_pred = np.where(rng.random(n) < 0.8, y_true, 1 - y_true)
    sex = Column("sex", "categorical", codes=rng.integers(-1, 3, n), categories=("f", "m", "x"))
    income = numeric_column(rng.lognormal(10, 1, n), "income")  # a million values: binned
    results = [fairness(y_true, y_pred, ("0", "1"), 1, c) for c in (sex, income)]
    assert [len(r.groups) for r in results] == [3, 10]
