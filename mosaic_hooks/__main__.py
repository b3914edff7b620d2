from __future__ import annotations

from mosaic_hooks.main import main

raise SystemExit(main())
