"""GX must not reach the network: analytics off, and no socket is opened by validate or docs."""

from __future__ import annotations

import subprocess
import sys
import textwrap

# Runs in a fresh interpreter so that importing GX itself is covered too.
SCRIPT = textwrap.dedent(
    """
    import socket, sys
    attempts = []

    def refuse(*args, **kwargs):
        attempts.append(args[:2])
        raise OSError("network disabled in this test")

    socket.socket.connect = lambda self, *a, **k: refuse(*a)
    socket.socket.connect_ex = lambda self, *a, **k: refuse(*a)
    socket.create_connection = refuse
    socket.getaddrinfo = refuse

    from pathlib import Path
    from recon.expectations import build_data_docs, feed_suite, validate_frame
    from recon.expectations.bench import contract_frame
    from recon.expectations.runner import engine

    df = contract_frame("grid_visit", 50).to_pandas()
    outcome = validate_frame(feed_suite("grid_visit", 50), df, "grid_visit/offline.csv")
    index = build_data_docs([outcome], Path(sys.argv[1]))
    assert outcome.all_met and index.is_file()
    assert engine().context.config.analytics_enabled is False
    print("ATTEMPTS", attempts)
    """
)


def test_gx_makes_no_network_attempt(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(tmp_path / "docs")], capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "ATTEMPTS []" in proc.stdout, proc.stdout + proc.stderr[-3000:]
