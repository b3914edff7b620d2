"""The records: the deployment history, its sharing as git notes, and the DORA metrics (JSON, HTML, OpenMetrics)."""
