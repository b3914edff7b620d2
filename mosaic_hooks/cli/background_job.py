"""The background verification's process, as the pre-push hook starts it (`hooks/after_push.py`):

    python -m mosaic_hooks.cli.background_job --job ID --git-dir DIR [--lock-fd N]

The job itself is `verification/background.py`; it runs `mosaic-hooks verify` in this process through the
command line's `main`, which only this layer may import.
"""

from __future__ import annotations

import sys

from mosaic_hooks.cli.main import main as run_command
from mosaic_hooks.verification.background import main

if __name__ == "__main__":
    sys.exit(main(run_command=run_command))
