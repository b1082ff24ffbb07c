"""raw/ and warehouse/ on an object store: what the same ingestion costs against a local S3 server.

Usage: python bench/objectstore_bench.py [--limit N] [--workers W]

Starts moto's S3 server on 127.0.0.1 (the one the tests use), builds N Reuters-21578 articles
(Distribution 1.0, research use) as .json files with ../shared/tools/reuters_to_raw.py, uploads
them, and ingests them three ways with the plain loop (`accords ingest --no-prefect`, each in its
own process): raw and warehouse local; raw local, warehouse on S3; both on S3. Each ingests into
an empty warehouse (cold), then again with nothing new (rerun). Prints wall time, the run's own
duration, the rows written and the objects the warehouse holds. moto is a Python server on the
same two cores, so the figures bound the protocol's cost from above; they are not S3's.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pyarrow.fs as pafs

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from accords.history import recent_runs  # noqa: E402
from accords.storage import Location, filesystem, join  # noqa: E402
from bench.ingest_bench import build_corpus  # noqa: E402


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def upload(raw: Path, uri: str) -> float:
    """Copy a folder to an object-store prefix; seconds taken."""
    fs, base = filesystem(uri)
    t0 = time.perf_counter()
    for p in sorted(raw.rglob("*")):
        if p.is_file():
            with fs.open_output_stream(join(base, p.relative_to(raw).as_posix())) as out:
                out.write(p.read_bytes())
    return time.perf_counter() - t0


def ingest(raw: Location, wh: Location, workers: int, env: dict[str, str]) -> tuple[float, dict]:
    """One `accords ingest --no-prefect` process; wall seconds and its runs row."""
    cmd = [sys.executable, "-m", "accords.cli", "ingest", "--no-prefect", "--workers", str(workers),
           "--raw", str(raw), "--warehouse", str(wh)]
    t0 = time.perf_counter()
    res = subprocess.run(cmd, env=env, capture_output=True, text=True, cwd=HERE.parent)
    wall = time.perf_counter() - t0
    if res.returncode != 0:
        raise SystemExit(f"ingest failed: {res.stdout}\n{res.stderr}")
    return wall, recent_runs(wh, limit=1)[0]


def objects(uri: str) -> int:
    fs, base = filesystem(uri)
    infos = fs.get_file_info(pafs.FileSelector(base, recursive=True, allow_not_found=True))
    return sum(1 for i in infos if i.type == pafs.FileType.File)


def main() -> int:
    """Run the three variants and print their figures."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--limit", type=int, default=2000, help="articles (default 2,000)")
    ap.add_argument("--workers", type=int, default=0, help="extraction processes (0: one per core)")
    args = ap.parse_args()

    import logging

    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # one line per request otherwise
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("ACCORDS_")}
    env.update({"AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench",
                "AWS_DEFAULT_REGION": "us-east-1", "AWS_ENDPOINT_URL": endpoint,
                "AWS_EC2_METADATA_DISABLED": "true", "ACCORDS_SETTLE_SECONDS": "0",
                "ACCORDS_COMPACT_AFTER_FILES": "0"})
    os.environ.update({k: v for k, v in env.items() if k.startswith("AWS_")})
    s3 = pafs.S3FileSystem(endpoint_override=endpoint, scheme="http", allow_bucket_creation=True)
    s3.create_dir("bench")
    try:
        with tempfile.TemporaryDirectory(prefix="accords-osbench-") as tmp:
            work = Path(tmp)
            raw = work / "raw"
            build_corpus(raw, "json", args.limit)
            n_files = sum(1 for _ in raw.glob("*.json"))
            print(f"machine: {os.cpu_count()} cores; moto S3 server on {endpoint}; {n_files} .json files")
            print(f"upload to s3://bench/raw: {upload(raw, 's3://bench/raw'):.1f} s")
            variants: list[tuple[str, Location, Location]] = [
                ("local raw, local warehouse", raw, work / "wh"),
                ("local raw, S3 warehouse", raw, "s3://bench/wh-a"),
                ("S3 raw, S3 warehouse", "s3://bench/raw", "s3://bench/wh-b"),
            ]
            for name, r, wh in variants:
                print(f"\n== {name}")
                for phase in ("cold", "rerun"):
                    wall, row = ingest(r, wh, args.workers, env)
                    print(f"  {phase:5s} wall {wall:6.2f} s  run {row['duration_s']:6.2f} s  "
                          f"{row['files_new']} new, {row['files_unchanged']} unchanged, "
                          f"{row['articles_written']} articles, {row['agreements_written']} agreements")
                if isinstance(wh, str):
                    print(f"  objects in the warehouse: {objects(wh)}")
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
