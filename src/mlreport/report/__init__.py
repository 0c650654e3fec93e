"""The report: what an evaluation becomes on disk.

- :mod:`.write`: the report directory -- charts drawn, ``report.json``, ``report.md``;
- :mod:`.document`: ``report.json``, the context every template receives;
- :mod:`.template`: Jinja with Markdown escaping by default, sandboxed for user templates;
- :mod:`.markdown`: the building blocks that keep data inert;
- :mod:`.html`: ``report.html``, report.md as GitHub shows it;
- :mod:`.openmetrics`: numeric metrics for GitLab's metrics reports.
"""
