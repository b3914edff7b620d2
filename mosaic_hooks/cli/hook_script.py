"""The hook file `mosaic-hooks install` writes: a small bash script.

Bash, not Python, so a hook costs one interpreter start-up. It runs the interpreter mosaic-hooks was
installed with (`-m mosaic_hooks`, no console-script wrapper, no PATH search); if that interpreter is
gone (a deleted virtualenv, a removed worktree that shared the hook file) it falls back to
`mosaic-hooks` on PATH and says so. A hook for a committed hooks directory (a `core.hooksPath` inside
the work tree, shared by everyone who clones) names no interpreter (`python=""`): it runs `mosaic-hooks`
from the repository's `.venv`/`venv`, else from PATH, so no developer's own path is committed. A hook
that was there before is kept as `<name>.legacy` and run first, with the same arguments and the same
stdin; its failure blocks.
"""

from __future__ import annotations

import shlex

MARKER = "# mosaic-hooks: generated hook, managed by `mosaic-hooks install` / `mosaic-hooks uninstall`"
SCRIPT_VERSION = 1

CLIENT_HOOKS = ("pre-commit", "pre-push")
SERVER_HOOKS = ("pre-receive", "post-receive")
HOOK_TYPES = CLIENT_HOOKS + SERVER_HOOKS
# Hooks git feeds on stdin; the others get none, and must not wait for a terminal.
STDIN_HOOKS = frozenset({"pre-push", "pre-receive", "post-receive"})

_TEMPLATE = """\
#!/usr/bin/env bash
{marker}
# script-version: {version}
HOOK_TYPE={hook_type}
INSTALL_PYTHON={python}
READS_STDIN={reads_stdin}

LEGACY="$0.legacy"

# git gives some hooks their input on stdin: read it once, hand the same bytes to both hooks.
STDIN=""
if [ "$READS_STDIN" = 1 ]; then
  IFS= read -r -d '' STDIN || true
fi

if [ -x "$LEGACY" ]; then
  if [ -n "$MOSAIC_HOOKS_RUNNING_LEGACY" ]; then
    echo "mosaic-hooks: $LEGACY runs the mosaic-hooks hook again (a loop);" \\
      "fix that file, then run \\`mosaic-hooks install --hook-type $HOOK_TYPE\\`" >&2
    exit 2
  fi
  printf '%s' "$STDIN" | MOSAIC_HOOKS_RUNNING_LEGACY=1 "$LEGACY" "$@"
  status=$?
  if [ "$status" -ne 0 ]; then
    echo "mosaic-hooks: the previous $HOOK_TYPE hook ($LEGACY) failed with exit $status" >&2
    exit "$status"
  fi
fi

ARGS=(hook-impl --hook-type "$HOOK_TYPE" -- "$@")
TOP=$(git rev-parse --show-toplevel 2>/dev/null)
if [ -n "$INSTALL_PYTHON" ] && [ -x "$INSTALL_PYTHON" ]; then
  CMD=("$INSTALL_PYTHON" -m mosaic_hooks "${{ARGS[@]}}")
elif [ -z "$INSTALL_PYTHON" ] && [ -n "$TOP" ] && [ -x "$TOP/.venv/bin/mosaic-hooks" ]; then
  CMD=("$TOP/.venv/bin/mosaic-hooks" "${{ARGS[@]}}")
elif [ -z "$INSTALL_PYTHON" ] && [ -n "$TOP" ] && [ -x "$TOP/venv/bin/mosaic-hooks" ]; then
  CMD=("$TOP/venv/bin/mosaic-hooks" "${{ARGS[@]}}")
elif command -v mosaic-hooks >/dev/null 2>&1; then
  if [ -n "$INSTALL_PYTHON" ]; then
    echo "mosaic-hooks: $INSTALL_PYTHON (the Python mosaic-hooks was installed with) is gone;" \\
      "using $(command -v mosaic-hooks) (run \\`mosaic-hooks install\\` again to fix this)" >&2
  fi
  CMD=(mosaic-hooks "${{ARGS[@]}}")
else
  echo "mosaic-hooks: not found: ${{INSTALL_PYTHON:-no interpreter named}}, none in .venv/venv, not on PATH" \\
    "(activate the virtualenv that has it, or run \\`git ... --no-verify\\` to skip the hook once)" >&2
  exit 2
fi

if [ "$READS_STDIN" = 1 ]; then
  printf '%s' "$STDIN" | "${{CMD[@]}}"
  exit $?
fi
exec "${{CMD[@]}}" </dev/null
"""


def render(hook_type: str, python: str) -> str:
    """The hook file for `hook_type`, running `python -m mosaic_hooks` (python "": found at run time)."""
    if hook_type not in HOOK_TYPES:
        raise ValueError(f"unsupported hook type {hook_type!r}")
    return _TEMPLATE.format(
        marker=MARKER, version=SCRIPT_VERSION, hook_type=hook_type, python=shlex.quote(python),
        reads_stdin=1 if hook_type in STDIN_HOOKS else 0,
    )


def is_our_script(text: str) -> bool:
    return MARKER in text
