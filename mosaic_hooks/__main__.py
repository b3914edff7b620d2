from __future__ import annotations

import sys

try:
    if sys.argv[1:2] == ["hook-impl"]:
        # Installed hooks enter here on every commit: a change that touches nothing the checks look at
        # is answered before the CLI router (argparse, configuration, the git layer) is even imported.
        from mosaic_hooks.cli.fast_path import hook_needs_nothing

        if hook_needs_nothing(sys.argv[2:]):
            raise SystemExit(0)

    from mosaic_hooks.cli.main import main
except KeyboardInterrupt:
    # Ctrl-C while the modules load, before main() has its own handler: the same one line and exit 130.
    sys.stderr.write("mosaic-hooks: interrupted\n")
    raise SystemExit(130) from None

raise SystemExit(main())
