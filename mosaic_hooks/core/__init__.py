"""The small core every layer stands on: configuration, git, errors, exit codes, time, redaction, files."""
