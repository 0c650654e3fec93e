"""mlreport: continuous integration for machine-learning projects.

Reads metrics, predictions and training history, compares them with a baseline, evaluates
gates and sanity checks, and writes a Markdown report with charts (``report.md``, PNGs and a
machine-readable ``report.json``).  The command line is ``mlreport``; see ``mlreport --help``.

The package, floor by floor (a module imports only from the floors below it):

- ``cli/``: the command line -- parse, call the library, map errors to exit codes;
- ``publish.py``: a report directory posted as a sticky comment (through ``platforms/``);
- ``report/``: the report written -- ``report.json``, ``report.md`` from Jinja templates,
  charts, ``report.html`` and OpenMetrics;
- ``evaluation.py``: input files to an :class:`~mlreport.evaluation.Evaluation` (metrics,
  baseline diff, gates, checks), built on ``compare.py``, ``gates.py`` and ``evaluate/``;
- ``charts/``: the PNG charts; ``runners/``: EC2 GPU runners;
- ``inputs/``: every file mlreport reads, as plain typed data;
- ``platforms/``: GitHub, GitLab and local files behind one Protocol, and the CI context;
- ``config.py``, ``errors.py``, ``runcmd.py``, ``_resources.py``: the ground floor.
"""

__version__ = "0.1.0"
# report.json's format; changes when a key changes meaning (a previous report.json is read
# back as a baseline only when it has this schema).
REPORT_SCHEMA = "mlreport/report@2"  # @2: intervals, paired deltas, "noise" changes
REPORT_SCHEMAS = ("mlreport/report@1", REPORT_SCHEMA)  # what is read back

__all__ = ["REPORT_SCHEMA", "REPORT_SCHEMAS", "__version__"]
