"""Throwaway servers for the fault tests and the soak: a PostgreSQL cluster of one's own (initdb + pg_ctl
in a temporary folder, on a free port), so stopping it under the app breaks nobody else's database.

A development tool shared by `tests/core/test_faults.py` and `bench/soak.py`; it lives in bench/ (not in
marketplace/, which is what gets installed and deployed, nor in tests/, which the soak should not import).
"""
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

PG_BIN = Path("/usr/lib/postgresql/15/bin")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def postgres_installed() -> bool:
    return (PG_BIN / "initdb").exists()


class ThrowawayPostgres:
    """A PostgreSQL cluster in a temporary folder, run as the `postgres` OS user when we are root.

    `settings` are extra server settings (`-c name=value`), e.g. shared_preload_libraries."""

    def __init__(self, settings: dict[str, str] | None = None):
        self.port = free_port()
        self.settings = {"listen_addresses": "127.0.0.1", "fsync": "off", **(settings or {})}
        self.dir = Path(tempfile.mkdtemp(prefix="jsst-pg-"))
        self.data = self.dir / "data"
        self.user = "postgres" if os.geteuid() == 0 else None
        if self.user:
            entry = pwd.getpwnam(self.user)
            os.chown(self.dir, entry.pw_uid, entry.pw_gid)
        self._run(PG_BIN / "initdb", "-D", self.data, "-U", "postgres", "--auth=trust", "--no-sync", "-E", "UTF8")

    def _run(self, *args):
        cmd = [str(a) for a in args]
        if self.user:
            cmd = ["runuser", "-u", self.user, "--", *cmd]
        subprocess.run(cmd, check=True, capture_output=True, timeout=60)

    def start(self):
        options = " ".join(f"-c {name}={value}" for name, value in self.settings.items())
        self._run(PG_BIN / "pg_ctl", "-D", self.data, "-l", self.dir / "log", "-w", "-o",
                  f"-p {self.port} -k {self.dir} {options}", "start")

    def stop(self):
        self._run(PG_BIN / "pg_ctl", "-D", self.data, "-m", "fast", "-w", "stop")

    @property
    def url(self):
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def remove(self):
        try:
            self.stop()
        except subprocess.CalledProcessError:
            pass  # already stopped
        shutil.rmtree(self.dir, ignore_errors=True)
