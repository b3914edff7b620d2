"""mosaic-hooks: git hooks that make "deployed" mean "works in production"."""

# Hard-coded rather than read from package metadata: importlib.metadata costs ~20 ms at start-up,
# and every hook run pays start-up.
__version__ = "0.1.0"
