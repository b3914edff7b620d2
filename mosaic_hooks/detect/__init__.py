"""Change detection: what a range of commits changes (endpoints, requirements, migrations)."""
