"""Other tools of the ML workflow that mlreport reads from and writes to. MLflow:
:mod:`.mlflow` (runs and registered model versions as metrics and baselines),
:mod:`.mlflow_report` (a report logged to a run, and read back), :mod:`.mlflow_client` (the
client and its errors). Each tool's client is imported only when it is used."""
