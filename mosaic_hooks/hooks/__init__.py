"""The hook stages: what a push sends, the local checks, stop-the-line, and the ways to switch checks off."""
