"""What `verify` reports: the terminal report, `--json`, `--junit FILE` and the `--proof FILE` handoff proof.

Every report is built from one `Verification` and passes through redaction before it is written.
"""
