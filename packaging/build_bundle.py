"""Build the PyInstaller one-folder bundle of Followup Desk, named after the app id.

    .venv/bin/pip install -e '.[bundle]'
    .venv/bin/python packaging/build_bundle.py            # -> dist/<APP_ID>/<APP_ID>

The bundle is a folder holding one executable, ``<APP_ID>``, and ``_internal/`` with Python,
Qt and the app; copy the whole folder. It runs like ``followup-desk``: no argument opens the
window, a command (``<APP_ID> settings``) runs the command line. The shipped files of
``resources/`` go in as ``followup_desk/resources``, where importlib.resources finds them.
The tzdata package goes in whole, so time zones work on a system without a zoneinfo
database. Otherwise only what the app imports is collected (Qt Core, Gui, Widgets and their
plugins: no WebEngine, no QML); Tk and Python's test modules are left out explicitly.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from followup_desk import APP_ID  # noqa: E402  (the checkout's package, found just above)

ENTRY = ROOT / "packaging" / "bundle_entry.py"
EXCLUDED = ("tkinter", "_tkinter", "test", "unittest", "pydoc")


def pyinstaller_args(dist: Path, work: Path) -> list[str]:
    args = [
        "--noconfirm",
        "--onedir",
        "--name",
        APP_ID,
        "--distpath",
        str(dist),
        "--workpath",
        str(work),
        "--specpath",
        str(work),
        "--paths",
        str(ROOT),  # the checkout's followup_desk, whatever way the venv installed it
        "--add-data",
        f"{ROOT / 'resources'}{os.pathsep}followup_desk/resources",
        # time zones travel with the bundle (the tzdata package, as the wheel depends on it):
        # zoneinfo falls back to it where the system has no /usr/share/zoneinfo
        "--collect-submodules",
        "tzdata",
        "--collect-data",
        "tzdata",
        "--log-level",
        "WARN",
    ]
    for module in EXCLUDED:
        args += ["--exclude-module", module]
    return [*args, str(ENTRY)]


def build(dist: Path, work: Path, *, clean: bool = False) -> Path:
    """Build the bundle into ``dist/<APP_ID>``; returns the path of its executable."""
    if clean:
        shutil.rmtree(work, ignore_errors=True)
    command = [sys.executable, "-m", "PyInstaller", *pyinstaller_args(dist, work)]
    if clean:
        command.insert(3, "--clean")
    subprocess.run(command, check=True, cwd=ROOT)
    executable = dist / APP_ID / APP_ID
    if not executable.is_file():
        raise FileNotFoundError(f"PyInstaller finished but {executable} is not there")
    return executable


def folder_size(folder: Path) -> int:
    return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file() and not f.is_symlink())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--dist", type=Path, default=ROOT / "dist", help="where the bundle folder goes (dist/)"
    )
    parser.add_argument(
        "--work",
        type=Path,
        default=ROOT / "build" / "pyinstaller",
        help="PyInstaller's work folder and spec file (build/pyinstaller/)",
    )
    parser.add_argument("--clean", action="store_true", help="start from an empty work folder")
    args = parser.parse_args(argv)
    if importlib.util.find_spec("PyInstaller") is None:
        sys.stderr.write(
            "PyInstaller is not installed in this environment: "
            "pip install -e '.[bundle]', then run this again.\n"
        )
        return 1
    started = time.monotonic()
    try:
        executable = build(args.dist.resolve(), args.work.resolve(), clean=args.clean)
    except subprocess.CalledProcessError as exc:
        sys.stderr.write(f"PyInstaller failed (exit code {exc.returncode}); see above.\n")
        return 1
    seconds = time.monotonic() - started
    megabytes = folder_size(executable.parent) / 1e6
    sys.stdout.write(
        f"Bundle: {executable.parent} ({megabytes:.0f} MB, built in {seconds:.0f} s)\n"
        f"Run:    {executable}\n"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
