"""`python -m dashboard`: start Streamlit on the configured address and port, offline and headless.

Usage statistics off (Streamlit would otherwise report to its servers), no file watcher, no browser opened:
the process replaces itself with Streamlit's, so stopping this pid stops the server.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from dashboard.settings import DashboardSettings

APP = Path(__file__).with_name("app.py")


def streamlit_command(settings: DashboardSettings) -> list[str]:
    """The `streamlit run` command line, every option explicit so no user or project config changes it."""
    return [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(APP),
        "--server.headless=true",
        f"--server.address={settings.address}",
        f"--server.port={settings.port}",
        "--server.fileWatcherType=none",
        "--server.runOnSave=false",
        "--browser.gatherUsageStats=false",
        f"--browser.serverAddress={settings.address}",
        "--client.toolbarMode=viewer",
        "--client.showErrorLinks=false",
        "--global.developmentMode=false",
        "--theme.base=light",
    ]


def main() -> None:
    command = streamlit_command(DashboardSettings())
    # The app imports `dashboard` and `tasks` from the project, whatever the working directory.
    root = str(APP.parent.parent)
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")]))
    os.execv(command[0], command)  # noqa: S606  (our own interpreter and fixed arguments)


if __name__ == "__main__":
    main()
