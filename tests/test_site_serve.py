"""`aprecords serve`: serves the hub preview on loopback and rebuilds when a record changes."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from conftest import PROJECT, TODAY, replace_line


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fetch(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.read().decode("utf-8")
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return None


def wait_for(url: str, text: str, proc: subprocess.Popen, seconds: float = 90) -> str:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert proc.poll() is None, "serve stopped: " + proc.stderr.read()
        page = fetch(url)
        if page is not None and text in page:
            return page
        time.sleep(0.3)
    raise AssertionError(f"{text!r} never appeared at {url}")


def test_serve_previews_the_hub_and_picks_up_a_changed_record(examples: Path) -> None:
    port = free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "aprecords",
            "--root",
            str(examples),
            "serve",
            "--dev-addr",
            f"127.0.0.1:{port}",
            "--today",
            TODAY,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(PROJECT / "scripts")},
    )
    try:
        base = f"http://127.0.0.1:{port}"
        dashboard = wait_for(f"{base}/", "Reviews overdue", proc)
        assert "<h1" in dashboard
        page = f"{base}/placements/hollybrook-2025-001.html"
        wait_for(page, "Tobias Wrenfeather", proc)
        replace_line(
            examples / "records/placements/hollybrook/hollybrook-2025-001.yaml",
            "name: Tobias Wrenfeather",
            "  name: Tobias Renamed",
        )
        assert "Tobias Renamed" in wait_for(page, "Tobias Renamed", proc)
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def test_serve_refuses_an_unknown_audience_before_listening(examples: Path, run_cli) -> None:
    result = run_cli(
        "--root", examples, "serve", "--audience", "nosuch", "--dev-addr", "127.0.0.1:1"
    )
    assert result.code == 2 and "nosuch" in result.err


def test_serve_refuses_a_bad_address(examples: Path, run_cli) -> None:
    result = run_cli("--root", examples, "serve", "--dev-addr", "localhost")
    assert result.code == 2 and "host:port" in result.err
