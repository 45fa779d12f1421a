"""Entry point: no subcommand opens the window; any subcommand runs the command line."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if not args:
        from followup_desk.ui.launch import run

        return run()
    from followup_desk.cli import main as cli_main

    return cli_main(args)


if __name__ == "__main__":
    sys.exit(main())
