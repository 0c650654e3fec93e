"""Data drift against independent references -- scipy's ks_2samp, chisquare,
wasserstein_distance and jensenshannon, statsmodels' two-proportion Z-test, PSI written out
here -- with Evidently's binning rebuilt here from its source (``get_binned_data``), its choice
of test (``_get_default_stattest``) and the edge cases the report states instead of failing."""

from __future__ import annotations

import math
import pickle
from collections import Counter
from collections.abc import Sequence

import numpy as np
import pytest
from scipy import stats
from scipy.spatial import distance
from statsmodels.stats.proportion import proportions_ztest

from mlreport.data import drift
from mlreport.data.binning import OTHER, wasserstein
from mlreport.data.drift import METHODS, Drift, column_drift, dataset_drift
from mlreport.data.frame import Column

SEEDS = range(5)
Labels = Sequence[str | None]


def numeric(values: Sequence[float] | np.ndarray, name: str = "x") -> Column:
    return Column(name, "numeric", values=np.asarray(values, dtype=np.float64))


def categorical(labels: Labels, name: str = "x") -> Column:
    """A categorical column as the readers make one: categories in order of appearance."""
    categories: dict[str, int] = {}
    codes = [-1 if v is None else categories.setdefault(v, len(categories)) for v in labels]
    return Column(
        name, "categorical", codes=np.array(codes, np.int64), categories=tuple(categories)
    )


def draw(
    rng: np.random.Generator, levels: Sequence[str], n: int, p: Sequence[float] | np.ndarray
) -> list[str]:
    return [levels[i] for i in rng.choice(len(levels), n, p=p)]


def pair(
    kind: str, ref_codes: np.ndarray, cur_codes: np.ndarray
) -> tuple[Column, Column, list[object], list[object]]:
    """Both sides as columns (numeric: code × 0.25; categorical: "v<code>") and as the raw
    values Evidently would see."""
    if kind == "numeric":
        ref_values, cur_values = ref_codes * 0.25, cur_codes * 0.25
        return numeric(ref_values), numeric(cur_values), list(ref_values), list(cur_values)
    ref_labels, cur_labels = [f"v{i}" for i in ref_codes], [f"v{i}" for i in cur_codes]
    return categorical(ref_labels), categorical(cur_labels), [*ref_labels], [*cur_labels]


def evidently_counts(ref: Sequence[object], cur: Sequence[object]) -> tuple[np.ndarray, np.ndarray]:
    """Counts of each value seen on either side (``value_counts`` over the union of keys)."""
    keys = sorted(set(ref) | set(cur), key=str)
    a, b = Counter(ref), Counter(cur)
    return np.array([a[k] for k in keys], float), np.array([b[k] for k in keys], float)


def evidently_binned(
    ref: Sequence[object], cur: Sequence[object], kind: str, fill: bool
) -> tuple[np.ndarray, np.ndarray]:
    """``get_binned_data``: a Sturges histogram of both sides for numeric columns of more than
    20 distinct reference values, else shares of each value; *fill* replaces empty bins."""
    if kind == "numeric" and len(set(ref)) > 20:
        edges = np.histogram_bin_edges(np.concatenate([ref, cur]), bins="sturges")
        r = np.histogram(np.asarray(ref, float), edges)[0] / len(ref)
        c = np.histogram(np.asarray(cur, float), edges)[0] / len(cur)
    else:
        r, c = evidently_counts(ref, cur)
        r, c = r / len(ref), c / len(cur)
    if fill:
        for p in (r, c):
            smallest = p[p != 0].min()
            p[p == 0] = smallest / 10**6 if smallest <= 0.0001 else 0.0001
    return r, c


def psi_formula(r: np.ndarray, c: np.ndarray) -> float:
    return float(sum((a - b) * math.log(a / b) for a, b in zip(r, c, strict=True)))


def shifted(seed: int, n_ref: int, n_cur: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    shift = rng.uniform(0, 0.4)
    return rng.normal(0, 1, n_ref), rng.normal(shift, 1 + shift, n_cur)


# --- each method against its reference -------------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize(("n_ref", "n_cur"), [(40, 60), (300, 300), (1000, 2500)])
def test_small_numeric_reference_is_ks_as_scipy(seed: int, n_ref: int, n_cur: int) -> None:
    ref, cur = shifted(seed, n_ref, n_cur)
    result = column_drift(numeric(ref), numeric(cur))
    expected = stats.ks_2samp(ref, cur).pvalue
    assert (result.method, result.threshold) == ("ks", 0.05)
    assert result.score == pytest.approx(expected, rel=1e-12, abs=1e-300)
    assert result.drifted is bool(expected <= 0.05)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("kind", ["categorical", "numeric"])
def test_small_reference_of_few_values_is_chisquare_as_scipy(seed: int, kind: str) -> None:
    rng = np.random.default_rng(seed)
    n_values = 3 + seed % 3 if kind == "numeric" else 6  # numeric: at most 5 distinct values
    p_cur = rng.dirichlet(np.full(n_values, 20.0))
    ref_codes, cur_codes = rng.integers(0, n_values, 500), rng.choice(n_values, 800, p=p_cur)
    ref, cur, ref_raw, cur_raw = pair(kind, ref_codes, cur_codes)
    obs_ref, obs_cur = evidently_counts(ref_raw, cur_raw)
    expected = stats.chisquare(obs_cur, obs_ref * (len(cur_raw) / len(ref_raw))).pvalue

    result = column_drift(ref, cur)

    assert (result.kind, result.method) == (kind, "chisquare")
    assert result.score == pytest.approx(expected, rel=1e-9, abs=1e-300)
    assert result.drifted is bool(expected < 0.05)


def test_chisquare_of_a_category_new_in_current_is_zero() -> None:
    ref = ["a", "b", "c"] * 20
    result = column_drift(categorical(ref), categorical([*ref, "new"]))
    assert (result.method, result.score, result.drifted) == ("chisquare", 0.0, True)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("kind", ["categorical", "numeric"])
def test_two_values_is_the_z_test_as_statsmodels(seed: int, kind: str) -> None:
    rng = np.random.default_rng(seed)
    ref_bits = rng.random(400 + 100 * seed) < 0.4
    cur_bits = rng.random(300) < rng.uniform(0.3, 0.55)
    if kind == "numeric":
        ref, cur = numeric(ref_bits * 1.0), numeric(cur_bits * 1.0)
    else:
        ref = categorical(["yes" if b else "no" for b in ref_bits])
        cur = categorical(["yes" if b else "no" for b in cur_bits])
    _, expected = proportions_ztest(
        [ref_bits.sum(), cur_bits.sum()], [ref_bits.size, cur_bits.size]
    )
    result = column_drift(ref, cur)
    assert (result.method, result.threshold) == ("z", 0.05)
    assert result.score == pytest.approx(expected, rel=1e-9)
    assert result.drifted is bool(expected < 0.05)


def test_z_test_of_one_value_on_both_sides_is_one() -> None:
    result = column_drift(categorical(["a"] * 50), categorical(["a"] * 70))
    assert (result.method, result.score, result.drifted) == ("z", 1.0, False)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize(("n_ref", "n_cur"), [(1001, 1001), (5000, 3001), (2000, 40_000)])
def test_large_numeric_reference_is_wasserstein_normed_as_scipy(
    seed: int, n_ref: int, n_cur: int
) -> None:
    ref, cur = shifted(seed, n_ref, n_cur)
    cur[: n_cur // 4] = np.round(cur[: n_cur // 4], 1)  # ties across both samples
    expected = stats.wasserstein_distance(ref, cur) / max(np.std(ref), 0.001)
    result = column_drift(numeric(ref), numeric(cur))
    assert (result.method, result.threshold) == ("wasserstein", 0.1)
    assert result.score == pytest.approx(expected, rel=1e-12)
    assert result.drifted is bool(expected >= 0.1)


def test_wasserstein_is_normed_by_at_least_a_thousandth() -> None:
    rng = np.random.default_rng(0)
    ref, cur = rng.normal(0, 1e-5, 2000), rng.normal(1e-5, 1e-5, 1500)
    result = column_drift(numeric(ref), numeric(cur))
    assert result.score == pytest.approx(stats.wasserstein_distance(ref, cur) / 0.001, rel=1e-12)


@pytest.mark.parametrize("seed", range(20))
def test_wasserstein_of_sorted_samples_is_scipy(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n, m = rng.integers(1, 60, 2)
    u, v = np.sort(rng.integers(0, 8, n) * 0.5), np.sort(rng.normal(2, 2, m))
    assert wasserstein(u, v) == pytest.approx(stats.wasserstein_distance(u, v), rel=1e-12)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("kind", ["categorical", "numeric"])
def test_large_reference_of_few_values_is_jensenshannon_as_scipy(seed: int, kind: str) -> None:
    rng = np.random.default_rng(seed)
    n_values = 2 + seed % 4 if kind == "numeric" else 8  # numeric: at most 5
    ref_codes = rng.choice(n_values, 3000, p=rng.dirichlet(np.full(n_values, 5.0)))
    cur_codes = rng.choice(n_values, 1200, p=rng.dirichlet(np.full(n_values, 5.0)))
    ref, cur, ref_raw, cur_raw = pair(kind, ref_codes, cur_codes)
    expected = distance.jensenshannon(*evidently_binned(ref_raw, cur_raw, kind, fill=False))
    result = column_drift(ref, cur)
    assert (result.method, result.threshold) == ("jensenshannon", 0.1)
    assert result.score == pytest.approx(expected, rel=1e-9)
    assert result.drifted is bool(expected >= 0.1)


@pytest.mark.parametrize("seed", SEEDS)
def test_jensenshannon_of_a_continuous_column_bins_by_sturges(seed: int) -> None:
    ref, cur = shifted(seed, 700, 1300)
    expected = distance.jensenshannon(*evidently_binned(list(ref), list(cur), "numeric", False))
    result = column_drift(numeric(ref), numeric(cur), method="jensenshannon")
    assert result.score == pytest.approx(expected, rel=1e-9)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize(
    ("kind", "n_levels"), [("numeric", 40), ("numeric", 12), ("numeric", 4), ("categorical", 9)]
)
def test_psi_is_the_formula_on_evidentlys_bins(seed: int, kind: str, n_levels: int) -> None:
    rng = np.random.default_rng(seed)
    ref_codes = rng.integers(0, n_levels, 1500)
    cur_codes = rng.integers(n_levels // 4, n_levels + 2, 900)  # empty bins on both sides
    ref, cur, ref_raw, cur_raw = pair(kind, ref_codes, cur_codes)
    expected = psi_formula(*evidently_binned(ref_raw, cur_raw, kind, fill=True))
    result = column_drift(ref, cur)
    assert result.psi == pytest.approx(expected, rel=1e-12)
    chosen = column_drift(ref, cur, method="psi")
    assert (chosen.score, chosen.threshold, chosen.drifted) == (result.psi, 0.1, expected >= 0.1)


def test_psi_replaces_empty_bins_by_a_millionth_of_a_rare_share() -> None:
    ref = ["a"] * 19_999 + ["rare"]  # 'rare' is 0.00005 of the reference: at most 0.0001
    cur = ["a"] * 900 + ["new"] * 100
    expected = psi_formula(*evidently_binned(ref, cur, "categorical", fill=True))
    assert column_drift(categorical(ref), categorical(cur)).psi == pytest.approx(expected)


# --- Evidently's choice of test ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "n_reference", "n_values", "method"),
    [
        ("numeric", 1000, 6, "ks"),
        ("numeric", 1000, 5, "chisquare"),
        ("numeric", 1000, 3, "chisquare"),
        ("numeric", 1000, 2, "z"),
        ("categorical", 1000, 3, "chisquare"),
        ("categorical", 1000, 2, "z"),
        ("categorical", 1000, 1, "z"),
        ("numeric", 1001, 6, "wasserstein"),
        ("numeric", 1001, 5, "jensenshannon"),
        ("numeric", 1001, 2, "jensenshannon"),
        ("categorical", 1001, 2, "jensenshannon"),
        ("categorical", 1001, 50, "jensenshannon"),
    ],
)
def test_the_method_is_chosen_as_evidentlys_registry(
    kind: str, n_reference: int, n_values: int, method: str
) -> None:
    ref_codes = np.arange(n_reference) % n_values
    cur_codes = np.arange(500) % n_values
    if kind == "numeric":
        ref, cur = numeric(ref_codes * 1.0), numeric(cur_codes * 1.0)
    else:
        ref = categorical([f"c{i}" for i in ref_codes])
        cur = categorical([f"c{i}" for i in cur_codes])
    assert column_drift(ref, cur).method == method
    assert drift.default_method(kind, n_reference, n_values) == method


def test_distinct_values_are_counted_over_both_sides() -> None:
    ref, cur = numeric(np.arange(500) % 5), numeric(np.arange(400) % 6)  # 5 + a sixth in current
    assert column_drift(ref, cur).method == "ks"


def test_missing_values_are_dropped_before_choosing() -> None:
    values = np.r_[np.arange(995) % 5, [np.nan] * 5, [np.inf] * 5]  # 5 distinct, 995 present
    result = column_drift(numeric(values), numeric(np.arange(300) % 5))
    assert result.method == "chisquare"  # NaN and inf not counted, 995 <= 1000 reference values
    labels: list[str | None] = [f"c{i % 3}" for i in range(1001)]
    labels[:3] = [None] * 3
    assert column_drift(categorical(labels), categorical(["c0", "c1"] * 50)).method == "chisquare"


def test_infinite_values_are_left_out_as_evidently_does() -> None:
    ref, cur = shifted(3, 2000, 1500)
    cur_with_inf = np.r_[cur, [np.inf, -np.inf]]
    result = column_drift(numeric(ref), numeric(cur_with_inf))
    expected = stats.wasserstein_distance(ref, cur) / np.std(ref)
    assert result.score == pytest.approx(expected, rel=1e-12)
    assert result.note == "2 infinite values left out, as Evidently does"


# --- methods named by a schema, thresholds ----------------------------------------------------


def test_methods_and_their_default_thresholds_are_evidentlys() -> None:
    assert dict(METHODS) == {
        "ks": 0.05,
        "chisquare": 0.05,
        "z": 0.05,
        "wasserstein": 0.1,
        "jensenshannon": 0.1,
        "psi": 0.1,
    }


@pytest.mark.parametrize("method", ["ks", "chisquare", "z", "wasserstein", "jensenshannon", "psi"])
def test_a_named_method_is_used_with_its_threshold_or_the_given_one(method: str) -> None:
    ref, cur = numeric(np.arange(2000) % 4), numeric((np.arange(900) + 1) % 4)
    default = column_drift(ref, cur, method=method)
    given = column_drift(ref, cur, method=method, threshold=0.2)
    assert (default.method, default.threshold) == (method, METHODS[method])
    assert (given.method, given.threshold, given.score) == (method, 0.2, default.score)


@pytest.mark.parametrize(
    ("method", "at_threshold"),
    [
        ("ks", True),
        ("chisquare", False),
        ("z", False),
        ("wasserstein", True),
        ("jensenshannon", True),
        ("psi", True),
    ],
)
def test_drift_at_the_threshold_itself(method: str, at_threshold: bool) -> None:
    """KS drifts when p <= threshold, the other tests when p < threshold, distances when >=."""
    rng = np.random.default_rng(1)
    ref, cur = numeric(rng.integers(0, 3, 400) * 1.0), numeric(rng.integers(0, 3, 300) * 1.0)
    if method in ("ks", "wasserstein"):
        ref, cur = (numeric(v) for v in shifted(1, 400, 300))
    score = column_drift(ref, cur, method=method).score
    assert column_drift(ref, cur, method=method, threshold=score).drifted is at_threshold


def test_numeric_methods_are_not_computed_on_categories() -> None:
    ref, cur = categorical(["a", "b", "c"] * 20), categorical(["a", "b"] * 30)
    result = column_drift(ref, cur, method="ks")
    assert (result.drifted, math.isnan(result.score), result.psi) == (None, True, None)
    assert result.note == "ks needs a numeric column"


def test_an_unknown_method_is_an_error() -> None:
    with pytest.raises(ValueError, match="unknown drift method 'kl'"):
        column_drift(numeric([1.0]), numeric([1.0]), method="kl")


# --- edge cases: stated, not raised -----------------------------------------------------------


def test_a_reference_of_fewer_than_30_values_is_not_computed() -> None:
    values = np.r_[np.arange(29.0), [np.nan] * 10]
    result = column_drift(numeric(values), numeric(np.arange(100.0)))
    assert (result.drifted, math.isnan(result.score), result.psi) == (None, True, None)
    assert result.note == "reference has 29 values: drift needs at least 30"
    assert column_drift(numeric(np.arange(30.0)), numeric(np.arange(100.0))).drifted is not None


@pytest.mark.parametrize("side", ["reference", "current"])
def test_an_all_missing_column_is_not_computed(side: str) -> None:
    empty, full = categorical([None] * 50), categorical(["a", "b"] * 50)
    ref, cur = (empty, full) if side == "reference" else (full, empty)
    result = column_drift(ref, cur)
    assert result.drifted is None
    expected = (
        "the reference has no values" if side == "reference" else "the current data has no values"
    )
    assert result.note == expected
    nan = numeric([np.nan] * 40)
    assert column_drift(nan, numeric(np.arange(40.0))).note == "the reference has no values"


def test_more_than_1000_categories_keep_the_999_most_frequent() -> None:
    rng = np.random.default_rng(0)
    frequent = [f"f{i}" for i in range(999)]
    rare = [f"r{i}" for i in range(1500)]
    ref_raw = frequent * 3 + rare[:1000]
    cur_raw = frequent * 2 + rare[500:]
    rng.shuffle(ref_raw)
    result = column_drift(categorical(ref_raw), categorical(cur_raw))
    assert result.note == (
        "2499 categories: the 999 most frequent in the reference kept, the other 1500 merged "
        "into one for the tests (Evidently does not merge)"
    )
    capped_ref = [v if v.startswith("f") else "rest" for v in ref_raw]
    capped_cur = [v if v.startswith("f") else "rest" for v in cur_raw]
    expected = distance.jensenshannon(
        *evidently_binned(capped_ref, capped_cur, "categorical", fill=False)
    )
    assert result.method == "jensenshannon"
    assert result.score == pytest.approx(expected, rel=1e-9)
    psi = psi_formula(*evidently_binned(capped_ref, capped_cur, "categorical", fill=True))
    assert result.psi == pytest.approx(psi, rel=1e-12)


def test_a_numeric_column_of_many_distinct_values_is_exact() -> None:
    ref, cur = shifted(7, 150_000, 120_000)
    result = column_drift(numeric(ref), numeric(cur))
    expected = stats.wasserstein_distance(ref, cur) / np.std(ref)
    assert result.score == pytest.approx(expected, rel=1e-12)
    assert result.note == ""


def test_numeric_in_one_file_categorical_in_the_other_compares_categories() -> None:
    ref = numeric([1.0, 2.0, 2.5] * 20)
    cur = categorical(["1", "2", "2.5", "n/a?"] * 15)
    result = column_drift(ref, cur)
    assert result.kind == "categorical"
    assert result.note == (
        "numeric in the reference, categorical in the current data: "
        "compared as categories (numbers as text)"
    )
    obs_ref, obs_cur = evidently_counts(["1", "2", "2.5"] * 20, ["1", "2", "2.5", "n/a?"] * 15)
    with np.errstate(divide="ignore"):  # no expected count for the new value
        expected = stats.chisquare(obs_cur, obs_ref * (60 / 60))
    assert (result.method, result.score) == ("chisquare", expected.pvalue)  # p = 0: a new value
    reverse = column_drift(cur, ref)
    assert reverse.note.startswith("categorical in the reference, numeric in the current data")


# --- the dataset, summaries, determinism ------------------------------------------------------


def _drift(drifted: bool | None) -> Drift:
    return Drift("x", "numeric", "ks", 0.5, 0.05, drifted, None)


def test_dataset_drift_is_the_share_of_drifted_among_computed_columns() -> None:
    assert dataset_drift([_drift(True), _drift(False), _drift(None)]) == (0.5, True)
    assert dataset_drift([_drift(True), _drift(False), _drift(False)]) == (1 / 3, False)
    assert dataset_drift([_drift(True), _drift(False)], share=0.6) == (0.5, False)
    share, drifted = dataset_drift([_drift(None)])
    assert math.isnan(share) and drifted is False


def test_numeric_summaries_share_their_bins() -> None:
    ref, cur = shifted(2, 3000, 2000)
    result = column_drift(numeric(np.r_[ref, np.nan]), numeric(cur))
    assert result.reference is not None and result.current is not None
    edges = np.histogram_bin_edges(np.r_[ref, cur], bins="sturges")
    assert result.reference.edges is not None and result.current.edges is not None
    np.testing.assert_array_equal(result.reference.edges, edges)
    np.testing.assert_array_equal(result.current.edges, edges)
    np.testing.assert_array_equal(result.reference.counts, np.histogram(ref, edges)[0])
    np.testing.assert_array_equal(result.current.counts, np.histogram(cur, edges)[0])
    assert (result.reference.n, result.current.n) == (3000, 2000)


def test_categorical_summaries_show_ten_categories_at_most() -> None:
    ref_raw = [f"c{i}" for i in range(15) for _ in range(20 - i)]
    cur_raw = [f"c{i}" for i in range(15) for _ in range(i + 1)]
    result = column_drift(categorical(ref_raw), categorical(cur_raw))
    assert result.reference is not None and result.current is not None
    total = Counter(ref_raw) + Counter(cur_raw)  # 21 of each: ties kept in order of appearance
    assert result.reference.labels == (*[f"c{i}" for i in range(9)], OTHER)
    assert result.current.labels == result.reference.labels
    assert sum(total[f"c{i}"] for i in range(15)) == 15 * 21
    assert list(result.reference.counts) == [20 - i for i in range(9)] + [sum(range(6, 12))]
    assert list(result.current.counts) == [i + 1 for i in range(9)] + [sum(range(10, 16))]
    small = column_drift(categorical(["a", "b"] * 20), categorical(["b"] * 30))
    assert small.reference is not None and small.current is not None
    assert small.reference.labels == ("b", "a")  # by the count over both sides
    assert (list(small.reference.counts), list(small.current.counts)) == ([20, 20], [30, 0])


def test_a_drift_is_deterministic_and_picklable() -> None:
    rng = np.random.default_rng(4)
    labels = draw(rng, ["x", "y", "z", "w"], 2000, [0.4, 0.3, 0.2, 0.1])
    first = column_drift(categorical(labels), categorical(labels[::-1][:900]))
    again = pickle.loads(
        pickle.dumps(column_drift(categorical(labels), categorical(labels[::-1][:900])))
    )
    assert (first.score, first.psi, first.note) == (again.score, again.psi, again.note)
    assert first.reference is not None and again.reference is not None
    np.testing.assert_array_equal(first.reference.counts, again.reference.counts)
    reordered = categorical(sorted(labels))  # other codes for the same categories
    assert column_drift(reordered, categorical(labels[::-1][:900])).score == pytest.approx(
        first.score, rel=1e-12
    )
