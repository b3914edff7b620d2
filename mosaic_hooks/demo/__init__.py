"""The offline demo: a small service, a local remote, the Render fake, and the real hooks and commands."""
