"""Entry point: no subcommand opens the window; any subcommand runs the command line."""

from __future__ import annotations

import sys


def _opened_with_the_app(arg: str) -> bool:
    """An .ics file or a calendar link given by the desktop, not a subcommand."""
    lowered = arg.lower()
    return lowered.endswith(".ics") or lowered.startswith(("webcal://", "webcals://"))


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if not args or all(_opened_with_the_app(a) for a in args):
        # no command, or files and links handed over by the desktop (.desktop's %U)
        from followup_desk.ui.launch import run

        return run(args)
    from followup_desk.cli import main as cli_main

    return cli_main(args)


if __name__ == "__main__":
    sys.exit(main())
