"""A no-op `accords ingest` next to a running `accords serve`, and without one (issue 13, point 2).

Usage: python bench/serve_reuse.py [--repeat N]

In a fresh temporary PREFECT_HOME, starts `accords serve --cron '0 0 1 1 *'` (its own local
Prefect server, no schedule firing), ingests raw/samples once into a temporary warehouse, then
times N no-op `accords ingest` runs (nothing new; each its own process, no PREFECT_API_URL) while
serve runs: they find serve's server through PREFECT_HOME. Then stops serve with SIGTERM (timing
how long until its whole process tree is gone) and times N no-op ingests again, now each starting
Prefect's temporary server as before. Prints every figure; wall times include interpreter start.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from accords.server import SERVER_FILE, free_port, running_server  # noqa: E402


def timed_ingest(env: dict[str, str]) -> tuple[float, str]:
    """Wall seconds of one `accords ingest` and what it printed on stderr."""
    t0 = time.monotonic()
    out = subprocess.run([sys.executable, "-m", "accords.cli", "ingest"], env=env, cwd=ROOT,
                         capture_output=True, text=True, timeout=300)
    wall = time.monotonic() - t0
    if out.returncode != 0:
        raise SystemExit(f"ingest failed ({out.returncode}):\n{out.stdout}\n{out.stderr}")
    return wall, out.stderr


def report(label: str, walls: list[float]) -> None:
    """One line of figures for a list of wall times."""
    print(f"{label}: median {statistics.median(walls):.2f} s, min {min(walls):.2f} s, "
          f"max {max(walls):.2f} s over {len(walls)} runs ({', '.join(f'{w:.2f}' for w in walls)})")


def main() -> int:
    """Run the benchmark and print its figures."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--repeat", type=int, default=5, help="no-op ingests per variant (default 5)")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="accords-serve-reuse-"))
    raw, home = tmp / "raw", tmp / "home"
    shutil.copytree(ROOT / "raw" / "samples", raw)
    old = time.time() - 3600  # past the settle time
    for p in raw.rglob("*"):
        os.utime(p, (old, old))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ACCORDS_", "PREFECT_"))}
    env.update({"PREFECT_HOME": str(home), "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
                "ACCORDS_RAW_DIR": str(raw), "ACCORDS_WAREHOUSE_DIR": str(tmp / "wh")})
    log = tmp / "serve.log"
    port = free_port()
    with open(log, "wb") as fh:
        serve = subprocess.Popen([sys.executable, "-m", "accords.cli", "serve", "--cron", "0 0 1 1 *",
                                  "--port", str(port)], env=env, cwd=ROOT, stdout=fh,
                                 stderr=subprocess.STDOUT, start_new_session=True)
    try:
        t0 = time.monotonic()
        while running_server(home) is None:
            if serve.poll() is not None or time.monotonic() - t0 > 300:
                raise SystemExit(f"accords serve did not come up:\n{log.read_text()[-2000:]}")
            time.sleep(0.25)
        print(f"accords serve: its server healthy {time.monotonic() - t0:.1f} s after start "
              f"(fresh database), on port {port}")
        first, _ = timed_ingest(env)
        print(f"first ingest (4 new files, on serve's server): {first:.2f} s wall")
        walls = []
        for _ in range(args.repeat):
            wall, err = timed_ingest(env)
            assert "running `accords serve`" in err, err
            walls.append(wall)
        report("no-op ingest next to a running serve", walls)
        tree = psutil.Process(serve.pid).children(recursive=True)
        t0 = time.monotonic()
        serve.send_signal(signal.SIGTERM)
        serve.wait(timeout=60)
        psutil.wait_procs(tree, timeout=60)
        print(f"accords serve and its {len(tree)} descendants gone {time.monotonic() - t0:.2f} s "
              "after SIGTERM")
        assert not (home / SERVER_FILE).exists()
        walls = []
        for _ in range(args.repeat):
            wall, err = timed_ingest(env)
            assert "running `accords serve`" not in err, err
            walls.append(wall)
        report("no-op ingest without serve (temporary server)", walls)
    finally:
        if serve.poll() is None:
            os.killpg(serve.pid, signal.SIGKILL)
            serve.wait()
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
