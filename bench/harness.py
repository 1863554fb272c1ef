"""Shared by the benchmarks: start servers on 127.0.0.1, wait for them, drive them with wrk.

All traffic stays on the loopback interface and every run is bounded in time.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VENV_BIN = Path(sys.executable).parent


def say(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def free_port() -> int:
    """A free loopback port: the first free one of SAMTAL_BENCH_PORTS ("18100-18199") if set,
    for a machine where each user keeps to a range, else any the system picks."""
    low, _, high = os.environ.get("SAMTAL_BENCH_PORTS", "0-0").partition("-")
    for port in range(int(low), int(high or low) + 1):
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return sock.getsockname()[1]
    raise RuntimeError(f"no free port in SAMTAL_BENCH_PORTS={os.environ['SAMTAL_BENCH_PORTS']}")


def wait_for(url: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status < 500:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within {timeout}s")


@contextmanager
def gunicorn(
    app: str,
    env: dict[str, str],
    workers: int = 2,
    cwd: Path = ROOT,
    *,
    binary: Path | None = None,
    config: Path | None = None,
    ready_path: str = "/healthz",
):
    """Run `gunicorn app` with sync workers on a free loopback port; yield its base URL.

    `binary`: another virtual environment's gunicorn (e.g. Isso's); `config`: a settings file
    instead of the one in `cwd`, so that different apps run under the very same settings.
    """
    port = free_port()
    command = [
        str(binary or VENV_BIN / "gunicorn"),
        *(["--config", str(config)] if config else []),
        "--workers",
        str(workers),
        "--bind",
        f"127.0.0.1:{port}",
        "--log-level",
        "warning",
        app,
    ]
    process = subprocess.Popen(command, cwd=cwd, env={**os.environ, **env}, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(f"{base}{ready_path}")
        yield base
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


@dataclass
class WrkResult:
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: int  # socket errors plus non-2xx/3xx answers
    output: str = ""  # wrk's whole report, with any lines a Lua script's done() printed

    def row(self) -> str:
        return (
            f"{self.requests_per_second:9.1f} req/s  p50 {self.p50_ms:7.2f} ms  "
            f"p99 {self.p99_ms:7.2f} ms  requests {self.requests}  errors {self.errors}"
        )


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def _ms(value: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", value).groups()
    return float(number) * _UNITS[unit]


def wrk(
    url: str,
    seconds: int = 10,
    connections: int = 16,
    threads: int = 2,
    script: Path | None = None,
    script_args: list[str] | None = None,
    timeout: int | None = None,
) -> WrkResult:
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is missing: apt-get install wrk")
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency"]
    if script:
        command += ["-s", str(script)]
    if timeout:  # wrk counts answers slower than this (default 2 s) as errors, not latencies
        command += ["--timeout", f"{timeout}s"]
    say(f"wrk {connections} connections for {seconds}s on {url}")
    output = subprocess.run(
        [*command, url, *(["--", *script_args] if script_args else [])],
        capture_output=True,
        text=True,
        check=True,
        timeout=seconds + (timeout or 2) + 30,
    ).stdout
    latency = dict(re.findall(r"^\s+(50|99)%\s+(\S+)\s*$", output, re.M))
    errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", output))
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return WrkResult(
        requests_per_second=float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        p50_ms=_ms(latency["50"]) if "50" in latency else float("nan"),  # nan: no answer at all
        p99_ms=_ms(latency["99"]) if "99" in latency else float("nan"),
        requests=int(re.search(r"(\d+) requests in", output).group(1)),
        errors=errors + (int(non_2xx.group(1)) if non_2xx else 0),
        output=output,
    )
