"""Test doubles shipped with the package, so users can try their configuration offline.

`mosaic_hooks.testing.render_fake.RenderFake` serves a fake of Render's REST API over real HTTP on
127.0.0.1; `python -m mosaic_hooks.testing.render_fake` runs one from the command line.
"""
