"""Two models on the same examples: the deltas of their metrics, with intervals and p-values
that use the pairing, and which predictions changed.

- Accuracy: McNemar's exact test on the discordant pairs (the p-value), and the exact
  interval that agrees with it: Clopper-Pearson's for the share of discordant pairs the new
  model won, scaled to the delta (so the interval leaves out 0 exactly when p < 1 − level).
- Every other confusion-matrix metric: a paired bootstrap that resamples the joint cells
  (true label, old prediction, new prediction) that occur -- at most N of them, K³ for K
  classes -- so a resample costs O(cells), not O(N); each draw gives both confusion matrices.
  Its p-value is a paired permutation test (each discordant example's two predictions
  swapped at random, per joint cell: a binomial draw), exact under "no difference", where a
  bootstrap p-value is too small when few examples changed.
- ROC AUC: DeLong's paired variance (:func:`mlreport.evaluate.delong.paired_auc_difference`);
  log loss and MAE: the mean of the per-example differences; RMSE and R²: the delta method on
  the paired means.

Every p-value is two-sided.
"""

from __future__ import annotations

import math
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np

from mlreport.evaluate.classification import count_codes
from mlreport.evaluate.intervals import (
    RESAMPLES,
    SEED,
    Spread,
    cell_sums,
    confusion_metrics,
    draw_counts,
    mean_spread,
)


@dataclass(frozen=True)
class Delta:
    """new − old of one metric: its spread (interval at any level) and a two-sided p-value."""

    spread: Spread
    p_value: float | None
    test: str  # how the p-value was found


def mcnemar_p(fixed: int, broken: int) -> float:
    """McNemar's exact test: the two-sided binomial p-value of the discordant pairs (as
    ``statsmodels.stats.contingency_tables.mcnemar(exact=True)``)."""
    n = fixed + broken
    if n == 0:
        return 1.0
    from scipy.special import betainc

    k = min(fixed, broken)
    cdf = float(betainc(n - k, k + 1, 0.5)) if k < n else 1.0  # P(X <= k), X ~ Bin(n, 1/2)
    return min(1.0, 2 * cdf)


def normal_p(value: float, se: float) -> float | None:
    if not (math.isfinite(se) and se > 0):
        return None
    from statistics import NormalDist

    return 2 * (1 - NormalDist().cdf(abs(value) / se))


def confusion_deltas(
    y_true: np.ndarray,
    old: np.ndarray,
    new: np.ndarray,
    k: int,
    pos: int | None,
    resamples: int = RESAMPLES,
    seed: int = SEED,
) -> dict[str, Delta]:
    """Paired deltas of every confusion-matrix metric (codes into the same *k* labels)."""
    joint = count_codes((y_true, old, new), k)
    cells = np.flatnonzero(joint)
    counts = joint[cells].astype(np.float64)
    true_of, old_of, new_of = cells // (k * k), (cells // k) % k, cells % k
    with ThreadPoolExecutor(2) as pool:  # two generators of their own: the same draws
        drawing = pool.submit(draw_counts, counts, resamples, seed)
        permuting = pool.submit(
            permuted_deltas, counts, true_of, old_of, new_of, k, pos, resamples, seed
        )
        draws, null = drawing.result(), permuting.result()
    before = confusion_metrics(
        cell_sums(draws, true_of, k, true_of == old_of),
        cell_sums(draws, true_of, k),
        cell_sums(draws, old_of, k),
        pos,
    )
    after = confusion_metrics(
        cell_sums(draws, true_of, k, true_of == new_of),
        cell_sums(draws, true_of, k),
        cell_sums(draws, new_of, k),
        pos,
    )
    point = _point(counts, true_of, old_of, new_of, k, pos)
    fixed = int(counts[(old_of != true_of) & (new_of == true_of)].sum())
    broken = int(counts[(old_of == true_of) & (new_of != true_of)].sum())
    out: dict[str, Delta] = {}
    for name, values in after.items():
        if name == "accuracy":
            spread = accuracy_delta(fixed, broken, y_true.size)
            out[name] = Delta(spread, mcnemar_p(fixed, broken), "McNemar's exact test")
            continue
        delta_draws = values - before[name]
        spread = Spread(
            point[name], "paired bootstrap", draws=delta_draws, low_limit=-1.0, high_limit=1.0
        )
        p = permutation_p(null[name], point[name])
        out[name] = Delta(spread, p, "paired permutation test")
    return out


def accuracy_delta(fixed: int, broken: int, n: int) -> Spread:
    """The accuracy delta, (fixed − broken) / n, with the exact interval conditional on the
    discordant pairs: Clopper-Pearson's for fixed / (fixed + broken), scaled."""
    discordant = fixed + broken

    def bounds(level: float) -> tuple[float, float]:
        if discordant == 0:
            return 0.0, 0.0
        from scipy.special import betaincinv

        tail = (1 - level) / 2
        low = float(betaincinv(fixed, broken + 1, tail)) if fixed else 0.0
        high = float(betaincinv(fixed + 1, broken, 1 - tail)) if broken else 1.0
        scale = discordant / n
        return scale * (2 * low - 1), scale * (2 * high - 1)

    value = (fixed - broken) / n if n else math.nan
    return Spread(value, "exact (McNemar)", low_limit=-1.0, high_limit=1.0, bounds=bounds)


def permutation_p(null: np.ndarray, observed: float) -> float | None:
    """Two-sided p of *observed* among the permuted deltas (+1 for the observed itself)."""
    finite = null[np.isfinite(null)]
    if not math.isfinite(observed) or finite.size == 0:
        return None
    tolerance = 1e-12 * max(1.0, abs(observed))
    extreme = int((np.abs(finite) >= abs(observed) - tolerance).sum())
    return float(min(1.0, (extreme + 1) / (finite.size + 1)))


def permuted_deltas(
    counts: np.ndarray,
    true_of: np.ndarray,
    old_of: np.ndarray,
    new_of: np.ndarray,
    k: int,
    pos: int | None,
    resamples: int,
    seed: int,
) -> dict[str, np.ndarray]:
    """The deltas of every metric when, in each resample, each discordant example's two
    predictions are swapped with probability 1/2 (a binomial draw per joint cell)."""
    rng = np.random.default_rng(seed + 1)
    size = min(resamples, max(200, 20_000_000 // max(1, counts.size)))
    swapped = rng.binomial(
        np.where(old_of != new_of, counts, 0).astype(np.int64), 0.5, size=(size, counts.size)
    ).astype(np.float64)
    kept = counts[None, :] - swapped
    support = np.broadcast_to(cell_sums(counts[None, :], true_of, k), (size, k))

    def side(mine: np.ndarray, theirs: np.ndarray) -> dict[str, np.ndarray]:
        tp = cell_sums(kept, true_of, k, true_of == mine) + cell_sums(
            swapped, true_of, k, true_of == theirs
        )
        predicted = cell_sums(kept, mine, k) + cell_sums(swapped, theirs, k)
        return confusion_metrics(tp, support, predicted, pos)

    after, before = side(new_of, old_of), side(old_of, new_of)
    return {name: after[name] - before[name] for name in after}


def _point(
    counts: np.ndarray,
    true_of: np.ndarray,
    old_of: np.ndarray,
    new_of: np.ndarray,
    k: int,
    pos: int | None,
) -> dict[str, float]:
    """The deltas themselves, from the joint cells' counts (the confusion matrices' exact
    counts: no pass over the examples)."""
    support = cell_sums(counts[None, :], true_of, k)

    def metrics(pred_of: np.ndarray) -> dict[str, np.ndarray]:
        tp = cell_sums(counts[None, :], true_of, k, true_of == pred_of)
        return confusion_metrics(tp, support, cell_sums(counts[None, :], pred_of, k), pos)

    a, b = metrics(new_of), metrics(old_of)
    return {name: float(a[name][0] - b[name][0]) for name in a}


def mean_delta(new: np.ndarray, old: np.ndarray, method: str = "paired differences") -> Delta:
    """The delta of a mean (log loss, MAE) from the per-example differences."""
    spread = mean_spread(new - old, method, low=-math.inf)
    return Delta(spread, normal_p(spread.value, spread.se or math.nan), "paired z-test")


def regression_deltas(y_true: np.ndarray, new: np.ndarray, old: np.ndarray) -> dict[str, Delta]:
    """MAE, RMSE and R² deltas of two regressions on the same rows (all finite)."""
    n = y_true.size
    if n < 2:
        return {}
    e_new, e_old = new - y_true, old - y_true
    out = {"mae": mean_delta(np.abs(e_new), np.abs(e_old))}
    sq_new, sq_old = e_new * e_new, e_old * e_old
    mse_new, mse_old = float(sq_new.mean()), float(sq_old.mean())
    if mse_new > 0 and mse_old > 0:
        rmse_new, rmse_old = math.sqrt(mse_new), math.sqrt(mse_old)
        influence = (sq_new - mse_new) / (2 * rmse_new) - (sq_old - mse_old) / (2 * rmse_old)
        se = float(influence.std(ddof=1) / math.sqrt(n))
        delta = rmse_new - rmse_old
        out["rmse"] = Delta(
            Spread(delta, "delta method (paired)", se=se), normal_p(delta, se), "paired z-test"
        )
    centred = y_true - y_true.mean()
    sst = float((centred * centred).mean())
    if sst > 0:
        # R²(new) − R²(old) = (mse_old − mse_new) / var(y): influence of each row
        d = (mse_old - mse_new) / sst
        influence = ((sq_old - mse_old) - (sq_new - mse_new) - d * (centred * centred - sst)) / sst
        se = float(influence.std(ddof=1) / math.sqrt(n))
        out["r2"] = Delta(
            Spread(d, "delta method (paired)", se=se), normal_p(d, se), "paired z-test"
        )
    return out


# -- what changed ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Changes:
    """Predictions that changed between the two models, on the examples both predicted."""

    examples: int
    fixed: int  # wrong before, right now
    broken: int  # right before, wrong now
    by_class: list[dict[str, object]] = field(default_factory=list)  # label, fixed, broken, net
    broken_rows: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    changed_rows: np.ndarray = field(  # every changed one: the broken first, then the others
        default_factory=lambda: np.zeros(0, dtype=np.int64)
    )


def changes(
    y_true: np.ndarray, old: np.ndarray, new: np.ndarray, labels: tuple[str, ...]
) -> Changes:
    """What changed, from one pass over the examples: a fixed or broken one is one whose
    prediction changed, so the rest looks at those alone."""
    moved = np.flatnonzero(old != new)
    true_of = y_true[moved]
    was, now = old[moved] == true_of, new[moved] == true_of
    k = len(labels)
    fixed_by = np.bincount(true_of[now], minlength=k)
    broken_by = np.bincount(true_of[was], minlength=k)
    by_class = [
        {
            "label": labels[i],
            "fixed": int(fixed_by[i]),
            "broken": int(broken_by[i]),
            "net": int(fixed_by[i] - broken_by[i]),
        }
        for i in range(k)
        if fixed_by[i] or broken_by[i]
    ]
    broken_rows = moved[was]
    return Changes(
        int(y_true.size),
        int(now.sum()),
        int(was.sum()),
        by_class,
        broken_rows,
        np.concatenate([broken_rows, moved[~was]]),
    )
