"""A private CUPS scheduler for the print tests: its own configuration, spool and socket under a test folder, so a
job sent with the app's own `lp` command is queued by real CUPS and the document it received can be read back.

Nothing of the machine's CUPS is touched: `CUPS_SERVER` points `lp` at this scheduler's socket. The queue is raw,
so what lands in the spool is exactly what the app sent (what a printer on that queue would be given)."""

from __future__ import annotations

import grp
import os
import pwd
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

QUEUE = "ReviewApp_Test"


@dataclass(frozen=True)
class CupsServer:
    socket: Path
    spool: Path
    queue: str = QUEUE

    def env(self) -> dict[str, str]:
        return {**os.environ, "CUPS_SERVER": str(self.socket)}

    def received(self, timeout: float = 10.0) -> list[bytes]:
        """The documents the scheduler has taken into its spool (d<job>-<n> files), oldest first."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = sorted(self.spool.glob("d*"))
            if found:
                return [path.read_bytes() for path in found]
            time.sleep(0.1)
        return []


def _config(folder: Path) -> tuple[Path, Path]:
    nobody = pwd.getpwnam("nobody")
    group = grp.getgrgid(nobody.pw_gid).gr_name
    admins = grp.getgrgid(0).gr_name  # cupsd wants a system group apart from the group it runs jobs as
    for name in ("cache", "state", "spool", "logs"):
        (folder / name).mkdir(parents=True, exist_ok=True)
    socket = folder / "cups.sock"
    cupsd = folder / "cupsd.conf"
    cupsd.write_text(f"Listen {socket}\nLogLevel warn\nBrowsing Off\nWebInterface No\nDefaultAuthType None\n"
                     "PreserveJobFiles Yes\n"
                     "<Location />\n  Order allow,deny\n  Allow all\n</Location>\n"
                     "<Policy default>\n  <Limit All>\n    Order deny,allow\n    Allow all\n  </Limit>\n</Policy>\n",
                     encoding="utf-8")
    files = folder / "cups-files.conf"
    files.write_text(f"ServerRoot {folder}\nCacheDir {folder / 'cache'}\nStateDir {folder / 'state'}\n"
                     f"RequestRoot {folder / 'spool'}\nTempDir {folder / 'spool'}\nServerBin /usr/lib/cups\n"
                     f"DataDir /usr/share/cups\nErrorLog {folder / 'logs' / 'error_log'}\n"
                     f"AccessLog {folder / 'logs' / 'access_log'}\nPageLog {folder / 'logs' / 'page_log'}\n"
                     f"User nobody\nGroup {group}\nSystemGroup {admins}\nSandboxing Relaxed\n", encoding="utf-8")
    os.chmod(folder, 0o755)
    return cupsd, files


@contextmanager
def cups_server(folder: Path) -> Iterator[CupsServer]:
    """A running private scheduler with one raw queue; skips the test where CUPS is not installed or cannot run."""
    cupsd, lpadmin, lpstat = (shutil.which(name) or shutil.which(name, path="/usr/sbin:/usr/bin")
                              for name in ("cupsd", "lpadmin", "lpstat"))
    if not (cupsd and lpadmin and lpstat and shutil.which("lp")) or os.geteuid() != 0:
        pytest.skip("a private CUPS scheduler needs cupsd, lpadmin, lpstat and lp, run as root")
    conf, files = _config(folder)
    server = CupsServer(folder / "cups.sock", folder / "spool")
    process = subprocess.Popen([cupsd, "-f", "-c", str(conf), "-s", str(files)], stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 15
        while subprocess.run([lpstat, "-r"], env=server.env(), capture_output=True, text=True,
                             check=False).stdout.strip() != "scheduler is running":
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.skip("the private CUPS scheduler did not start")
            time.sleep(0.1)
        subprocess.run([lpadmin, "-p", QUEUE, "-E", "-v", "file:///dev/null", "-m", "raw"], env=server.env(),
                       capture_output=True, check=True)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
