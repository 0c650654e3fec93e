"""Metrics, curves, slices and sanity checks: pure functions of NumPy arrays.

They follow scikit-learn's definitions (the test-suite checks them against scikit-learn) but
compute from counts with NumPy alone: importing ``sklearn.metrics`` takes longer than
evaluating ten thousand predictions.
"""
