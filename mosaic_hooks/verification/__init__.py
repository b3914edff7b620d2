"""One verification of production: the orchestration, the verdict, the model the reports and records read."""
