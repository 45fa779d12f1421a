"""Starting the window. The live-meeting window is the next piece of work (issue 4).

Until it lands, starting the app without a subcommand says so plainly and points at the
command line, which already narrows, books and writes invites.
"""

from __future__ import annotations

import sys

from followup_desk import APP_NAME
from followup_desk.app import init_logging, open_desk
from followup_desk.errors import UserError


def run() -> int:
    paths = init_logging()
    try:
        desk = open_desk(paths)
    except UserError as exc:
        sys.stderr.write(f"{APP_NAME}: {exc}\n")
        return 1
    desk.close()
    sys.stdout.write(
        f"{APP_NAME} is set up: settings in {paths.settings_file}, data in {paths.data_dir}.\n"
        "The live-meeting window is not built yet; the command line does the work meanwhile:\n"
        "  followup-desk slots --horizon late-next-week   free slots to offer\n"
        "  followup-desk book --name NAME --email EMAIL --start 2026-12-04T15:00 --length 30\n"
        "  followup-desk list                             who has a next step\n"
        "  followup-desk --help                           everything else\n"
    )
    return 0
