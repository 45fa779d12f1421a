"""The PyInstaller bundle's entry point: the app's own ``main``, and one switch for tests.

The bundle runs exactly what ``followup-desk`` runs: no argument opens the window, any
argument is a command line command. One addition, kept here rather than in the app: with
``FOLLOWUP_DESK_QUIT_AFTER_PAINT=1`` the window quits once it has painted, so a test (or a
packager on a build machine) can prove the bundle opens its window and exits 0.
"""

from __future__ import annotations

import os
import sys

from followup_desk.__main__ import main

QUIT_AFTER_PAINT_ENV = "FOLLOWUP_DESK_QUIT_AFTER_PAINT"


def bundle_main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if not args and os.environ.get(QUIT_AFTER_PAINT_ENV) == "1":
        from followup_desk.ui.launch import run

        return run(quit_after_paint=True)
    return main(args)


if __name__ == "__main__":
    sys.exit(bundle_main())
