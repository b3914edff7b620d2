"""The command line: the entry point, one module per command, the installed hook script, its fast path, output."""
