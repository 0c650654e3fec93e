"""mlreport: continuous integration for machine-learning projects.

Reads metrics, predictions and training history, compares them with a baseline, evaluates
gates and sanity checks, and writes a Markdown report with charts (``report.md``, PNGs and a
machine-readable ``report.json``).  The command line is ``mlreport``; see ``mlreport --help``.
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
