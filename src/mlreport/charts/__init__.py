"""Charts as deterministic PNG files, drawn with matplotlib's Figure API on the Agg canvas.

No pyplot and no global state: every figure is created, drawn and saved inside
:func:`mlreport.charts.figure.figure`, under a fixed style, and saved without metadata
that changes between runs, so the same input always gives byte-identical files.
"""
