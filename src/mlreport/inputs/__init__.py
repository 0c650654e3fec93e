"""Readers that turn input files into plain typed data, with one-line errors naming the file.

- :mod:`.metrics`, :mod:`.predictions` (with :mod:`.labels`), :mod:`.history`: what training
  wrote; :mod:`.baseline`: what to compare with (a git ref, a file, a previous report.json);
- :mod:`.dvc` (dvc.yaml's metrics, params and plots files), :mod:`.dvc_rev` (DVC-tracked
  files at a git ref, through ``dvc.api``), :mod:`.params` (params files and their diff),
  :mod:`.plots` (DVC plots files: ROC/PR points, confusion rows, history folders);
- :mod:`.tables`: the column readers underneath (CSV/TSV, JSON Lines, JSON, Parquet);
- :mod:`.report`: a report directory read back (for publish and preview);
- :mod:`._files`: opening a file once, with clear errors (missing, empty, not UTF-8).
"""
