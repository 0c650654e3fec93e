"""Tests of the data, beside those of the model: schema, integrity, drift and fairness.

- :mod:`.frame`: a data file's columns, numeric or categorical, and row hashes;
- :mod:`.schema`: a schema file (YAML), inferred from data, and the data checked against it;
- :mod:`.integrity`: missing values, constant columns, duplicate rows, leakage;
- :mod:`.drift`: each column against the reference (Evidently's defaults), and PSI;
- :mod:`.fairness`: per-group rates and fairlearn's disparity measures;
- :mod:`.checks`: all of them for one report: checks, metrics for gates, the report's tables.
"""
