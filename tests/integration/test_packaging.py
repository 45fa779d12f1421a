"""Packaging as a user meets it: the installed wheel, the desktop files, the bundle.

- The wheel is built from a copy of the project's sources and installed with pip into a
  fresh virtual environment (its dependencies come from this one through a .pth line), so
  the app there can only find what the wheel itself carries.
- The .desktop file and the AppStream metainfo pass their validators (desktop-file-utils and
  appstream, installed by ``packaging/system-deps.sh --test``) and name the same app id as
  the icon and the bundle (STYLE.md habit 11).
- The PyInstaller bundle is built once by ``packaging/build_bundle.py`` and started: it opens
  its window offscreen and quits after the first paint, and its command line finds the
  shipped files and time zones with no checkout and no system zoneinfo to fall back on.
"""

from __future__ import annotations

import configparser
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import sysconfig
import tomllib
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest

from followup_desk import APP_ID, APP_NAME, __version__
from followup_desk.paths import AppPaths
from followup_desk.resources_access import ICON_SIZES
from tests.conftest import SettingsWriter

ROOT = Path(__file__).resolve().parents[2]
PACKAGING = ROOT / "packaging"
RESOURCES = ROOT / "resources"
DESKTOP_FILE = PACKAGING / f"{APP_ID}.desktop"
METAINFO = PACKAGING / f"{APP_ID}.metainfo.xml"
HICOLOR = RESOURCES / "icons" / "hicolor"
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
COMMAND = next(iter(PYPROJECT["project"]["scripts"]))  # "followup-desk"

# Issues appstreamcli may raise that this project cannot act on yet. AppStream 1.0 and later
# warn when there is no <url type="homepage">; Followup Desk has no public homepage (the
# validator in Debian 12, AppStream 0.16, does not ask for one).
TOLERATED_APPSTREAM_ISSUES = {"url-homepage-missing"}


def _run(
    command: list[str],
    *,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
    timeout: float = 300,
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command, capture_output=True, text=True, env=env, cwd=cwd, timeout=timeout, check=False
    )


def _env(**changes: str) -> dict[str, str]:
    """This process's environment (FOLLOWUP_DESK_HOME is the test's), with ``changes``."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    return {**env, **changes}


def _tool(name: str, package: str) -> str:
    found = shutil.which(name)
    if found is None:
        pytest.fail(f"{name} is missing: bash packaging/system-deps.sh --test installs {package}")
    return found


def _shipped_files() -> list[str]:
    """Every file in resources/, as a path relative to it."""
    return sorted(
        path.relative_to(RESOURCES).as_posix()
        for path in RESOURCES.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    )


# --- the wheel ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel, built from a copy of the sources (the checkout gets no build/ folder)."""
    work = tmp_path_factory.mktemp("wheel")
    source = work / "source"
    ignore = shutil.ignore_patterns("__pycache__", "*.egg-info", "*.pyc")
    for name in ("followup_desk", "resources"):
        shutil.copytree(ROOT / name, source / name, ignore=ignore)
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, source / name)
    out = work / "dist"
    built = _run([sys.executable, "-m", "pip", "wheel", "--no-deps", str(source), "-w", str(out)])
    assert built.returncode == 0, built.stdout + built.stderr
    (found,) = out.glob("followup_desk-*.whl")
    return found


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtual environment with the wheel installed; returns its bin/ folder."""
    venv = tmp_path_factory.mktemp("venv") / "fresh"
    made = _run([sys.executable, "-m", "venv", "--without-pip", str(venv)])
    assert made.returncode == 0, made.stderr
    python = venv / "bin" / "python"
    site = Path(
        _run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"]
        ).stdout.strip()
    )
    # the dependencies (icalendar, platformdirs, ...) from this environment; its editable
    # install of followup_desk is not picked up: a .pth line adds a folder to sys.path but
    # does not run the .pth hooks inside it
    ours = {sysconfig.get_path("purelib"), sysconfig.get_path("platlib")}
    (site / "test-dependencies.pth").write_text("\n".join(sorted(ours)) + "\n", encoding="utf-8")
    pip = [sys.executable, "-m", "pip", "--python", str(python), "install"]
    done = _run([*pip, "--no-deps", "--no-index", "--no-compile", str(wheel)])
    assert done.returncode == 0, done.stdout + done.stderr
    return venv / "bin"


def test_the_wheel_carries_every_shipped_file_and_the_icon(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    missing = [f for f in _shipped_files() if f"followup_desk/resources/{f}" not in names]
    assert not missing, f"resources/ files the wheel leaves out: {missing}"
    for required in ("settings.toml", "cadences.toml", "empty_phrases.txt", "zone_aliases.toml"):
        assert f"followup_desk/resources/{required}" in names
    icons = "followup_desk/resources/icons/hicolor"
    assert f"{icons}/scalable/apps/{APP_ID}.svg" in names
    for size in ICON_SIZES:
        assert f"{icons}/{size}x{size}/apps/{APP_ID}.png" in names


def test_the_installed_wheel_finds_its_resources_and_gives_the_command(
    installed: Path, fd_home: AppPaths, tmp_path: Path
) -> None:
    probe = (
        "import json, followup_desk.resources_access as r\n"
        "print(json.dumps({'module': r.__file__,"
        " 'settings': str(r.resource('settings.toml')),"
        " 'start': r.read_text('settings.toml')[:20],"
        " 'phrases': len(r.empty_phrases()), 'aliases': len(r.zone_aliases()),"
        " 'icon': str(r.icon_path(16)), 'svg': str(r.icon_svg())}))"
    )
    # run from another folder: `python -c` puts the working folder first on sys.path
    shown = _run([str(installed / "python"), "-c", probe], env=_env(), cwd=tmp_path)
    assert shown.returncode == 0, shown.stderr
    found = json.loads(shown.stdout)
    venv = installed.parent
    for key in ("module", "settings", "icon", "svg"):
        path = Path(found[key])
        assert path.is_relative_to(venv), f"{key} comes from outside the fresh venv: {path}"
        assert path.is_file()
    assert found["start"] == "# Followup Desk sett"
    assert found["phrases"] > 0
    assert found["aliases"] > 0

    # the console script: its first run writes the settings from the wheel's template
    ran = _run([str(installed / COMMAND), "settings", "--json"], env=_env(), cwd=tmp_path)
    assert ran.returncode == 0, ran.stderr
    assert json.loads(ran.stdout)["settings_file"] == str(fd_home.settings_file)
    assert fd_home.settings_file.read_text(encoding="utf-8").startswith("# Followup Desk settings")


# --- the desktop files --------------------------------------------------------------------


class _DesktopEntryParser(configparser.ConfigParser):
    def optionxform(self, optionstr: str) -> str:
        return optionstr  # desktop entry keys are case-sensitive


def _desktop_entry() -> configparser.SectionProxy:
    parser = _DesktopEntryParser(interpolation=None, delimiters=("=",))
    parser.read(DESKTOP_FILE, encoding="utf-8")
    return parser["Desktop Entry"]


def test_the_desktop_file_passes_desktop_file_validate() -> None:
    checked = _run([_tool("desktop-file-validate", "desktop-file-utils"), str(DESKTOP_FILE)])
    report = checked.stdout + checked.stderr
    # silent when clean; it exits 0 on hints (no main category: the app lands in "Other")
    # and even on some errors ("will be fatal in the future"), so any line fails the test
    assert checked.returncode == 0, report
    assert not report.strip(), report


def test_the_metainfo_passes_appstreamcli_validate() -> None:
    checked = _run([_tool("appstreamcli", "appstream"), "validate", "--no-net", str(METAINFO)])
    report = checked.stdout + checked.stderr
    # lines like "W: com.followupdesk.FollowupDesk:12: some-issue-tag detail"
    blocking = re.findall(r"^\s*[EW]: \S+ (\S+)", report, flags=re.MULTILINE)
    assert not set(blocking) - TOLERATED_APPSTREAM_ISSUES, report
    assert checked.returncode == 0 or blocking, report


def test_one_app_id_names_the_desktop_file_metainfo_icon_and_command() -> None:
    entry = _desktop_entry()
    assert entry["Icon"] == APP_ID
    assert entry["Exec"].split()[0] == COMMAND
    # Qt on X11 sets WM_CLASS to (program name, application name); the program name is
    # "followup-desk" installed and APP_ID in the bundle, the application name is APP_NAME
    assert entry["StartupWMClass"] == APP_NAME
    assert {"text/calendar", "x-scheme-handler/webcal"} <= set(entry["MimeType"].split(";"))

    root = ET.parse(METAINFO).getroot()
    assert root.get("type") == "desktop-application"
    assert root.findtext("id") == APP_ID
    assert root.findtext("name") == APP_NAME == entry["Name"]
    assert root.findtext("launchable[@type='desktop-id']") == DESKTOP_FILE.name
    assert root.findtext("provides/binary") == COMMAND
    # SPDX compares license ids without regard to case; AppStream spells this one in lower case
    license_id = root.findtext("project_license") or ""
    assert license_id.lower() == PYPROJECT["project"]["license"].lower()


def test_the_metainfo_announces_the_version_being_built() -> None:
    releases = ET.parse(METAINFO).getroot().findall("releases/release")
    assert releases, "the metainfo lists no release"
    assert releases[0].get("version") == __version__, "newest release first, as built"


def test_every_icon_size_is_drawn_at_that_size() -> None:
    assert (HICOLOR / "scalable" / "apps" / f"{APP_ID}.svg").is_file()
    for size in ICON_SIZES:
        png = HICOLOR / f"{size}x{size}" / "apps" / f"{APP_ID}.png"
        header = png.read_bytes()[:24]
        assert header[:8] == b"\x89PNG\r\n\x1a\n", png
        assert struct.unpack(">II", header[16:24]) == (size, size), png


# --- the bundle ---------------------------------------------------------------------------


@pytest.fixture(scope="session")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundle, built once per test run; returns its executable."""
    work = tmp_path_factory.mktemp("bundle")
    built = _run(
        [
            sys.executable,
            str(PACKAGING / "build_bundle.py"),
            "--dist",
            str(work / "dist"),
            "--work",
            str(work / "work"),
        ]
    )
    assert built.returncode == 0, built.stdout + built.stderr
    executable = work / "dist" / APP_ID / APP_ID
    assert executable.is_file(), built.stdout
    return executable


def test_the_bundle_opens_its_window_and_quits_after_the_first_paint(
    bundle: Path, write_settings: SettingsWriter, fd_home: AppPaths, tmp_path: Path
) -> None:
    write_settings()  # the rep is known: no setup dialog before the window
    env = _env(QT_QPA_PLATFORM="offscreen", FOLLOWUP_DESK_QUIT_AFTER_PAINT="1")
    # it only quits on a Paint event of the main window: exit 0 in time means it painted
    ran = _run([str(bundle)], env=env, cwd=tmp_path, timeout=60)
    assert ran.returncode == 0, ran.stdout + ran.stderr
    assert "window shown" in fd_home.log_file.read_text(encoding="utf-8")


def test_the_bundle_finds_its_files_and_time_zones_on_its_own(
    bundle: Path, fd_home: AppPaths, tmp_path: Path
) -> None:
    no_zoneinfo = tmp_path / "no-zoneinfo"
    no_zoneinfo.mkdir()
    # no checkout (another folder), no system time zone database: only what the bundle holds
    env = _env(PYTHONTZPATH=str(no_zoneinfo), TZ="America/New_York")
    ran = _run([str(bundle), "settings", "--json"], env=env, cwd=tmp_path)
    assert ran.returncode == 0, ran.stdout + ran.stderr
    shown = json.loads(ran.stdout)
    assert shown["settings_file"] == str(fd_home.settings_file)
    assert shown["time_zone"] == "America/New_York"
    written = fd_home.settings_file.read_text(encoding="utf-8")
    assert written.startswith("# Followup Desk settings")  # the shipped template

    # and the command line's usual output for people
    plain = _run([str(bundle), "settings"], env=env, cwd=tmp_path)
    assert plain.returncode == 0, plain.stderr
    assert str(fd_home.settings_file) in plain.stdout
    assert "Settings are valid." in plain.stdout
