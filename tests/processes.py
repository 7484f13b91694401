"""Separate processes for tests that run zoneeval as it runs in production: an S3-compatible object store (moto's
server), Celery workers, gunicorn. Each process writes to its own log file; ``tail`` shows the end of a log when a
test fails; ``stop`` ends a process group and waits for it."""
from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"


@dataclass
class Started:
    name: str
    process: subprocess.Popen
    log: Path
    extra: dict = field(default_factory=dict)

    @property
    def pid(self) -> int:
        return self.process.pid

    def running(self) -> bool:
        return self.process.poll() is None


def start(name: str, command: list[str], env: dict, log_dir: Path, cwd: Path = ROOT) -> Started:
    """``command`` in its own process group (so that ``stop`` reaches its children), output to ``log_dir/name.log``."""
    log = log_dir / f"{name}.log"
    with open(log, "wb") as handle:
        process = subprocess.Popen(command, cwd=cwd, env=env, stdout=handle, stderr=subprocess.STDOUT,
                                   start_new_session=True)
    return Started(name, process, log)


def stop(started: Started, timeout: float = 20) -> None:
    """SIGTERM to the process group (a warm shutdown for Celery and gunicorn), SIGKILL if it does not end."""
    if started.process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(started.pid, signal.SIGTERM)
        try:
            started.process.wait(timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(started.pid, signal.SIGKILL)
            started.process.wait(10)
    with contextlib.suppress(ProcessLookupError):  # children left behind by a parent that died first
        os.killpg(started.pid, signal.SIGKILL)


def tail(started: Started, lines: int = 40) -> str:
    try:
        text = started.log.read_text(errors="replace").splitlines()
    except FileNotFoundError:
        return f"--- {started.name}: no log"
    return f"--- {started.name} ({started.log}), last {lines} lines:\n" + "\n".join(text[-lines:])


def free_port() -> int:
    with contextlib.closing(socket.socket()) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(started: Started, port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not started.running():
            raise AssertionError(f"{started.name} stopped while starting\n{tail(started)}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
            return
        time.sleep(0.1)
    raise AssertionError(f"{started.name} did not listen on port {port} within {timeout} s\n{tail(started)}")


def wait_for(predicate, timeout: float, what: str, watched: list[Started] = ()):
    """Poll ``predicate`` until it returns something true; fail with the watched processes' logs otherwise."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        for started in watched:
            if not started.running():
                raise AssertionError(f"{started.name} stopped while waiting for {what}\n{tail(started)}")
        time.sleep(0.2)
    logs = "\n".join(tail(s) for s in watched)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}\n{logs}")


# --- an S3-compatible object store -------------------------------------------------------------------------------

S3_ACCESS_KEY, S3_SECRET_KEY, S3_REGION = "testing-access-key", "testing-secret-key", "us-east-1"


def start_moto(log_dir: Path) -> Started:
    port = free_port()
    started = start("moto-s3", [str(BIN / "moto_server"), "-H", "127.0.0.1", "-p", str(port)], dict(os.environ),
                    log_dir)
    wait_for_port(started, port)
    started.extra["endpoint"] = f"http://127.0.0.1:{port}"
    return started


def s3_client(endpoint: str):
    import boto3

    return boto3.client("s3", endpoint_url=endpoint, region_name=S3_REGION, aws_access_key_id=S3_ACCESS_KEY,
                        aws_secret_access_key=S3_SECRET_KEY)


def new_bucket(endpoint: str) -> str:
    name = f"zoneeval-test-{uuid.uuid4().hex[:12]}"
    s3_client(endpoint).create_bucket(Bucket=name)
    return name


def s3_env(endpoint: str, bucket: str, prefix: str = "artefacts") -> dict:
    """The environment that puts artefacts on the object store (README "Production")."""
    return {"ARTEFACT_S3_BUCKET": bucket, "ARTEFACT_S3_ENDPOINT_URL": endpoint, "ARTEFACT_S3_REGION": S3_REGION,
            "ARTEFACT_S3_ACCESS_KEY_ID": S3_ACCESS_KEY, "ARTEFACT_S3_SECRET_ACCESS_KEY": S3_SECRET_KEY,
            "ARTEFACT_S3_PREFIX": prefix}


def s3_objects(endpoint: str, bucket: str) -> dict[str, bytes]:
    client = s3_client(endpoint)
    listed = client.list_objects_v2(Bucket=bucket).get("Contents", [])
    return {item["Key"]: client.get_object(Bucket=bucket, Key=item["Key"])["Body"].read() for item in listed}


# --- process memory (Linux /proc) ---------------------------------------------------------------------------------

def children(pid: int) -> list[int]:
    """The direct children of ``pid`` (every thread's list)."""
    found: list[int] = []
    with contextlib.suppress(FileNotFoundError):
        for task in Path(f"/proc/{pid}/task").iterdir():
            with contextlib.suppress(FileNotFoundError):
                found += [int(p) for p in (task / "children").read_text().split()]
    return sorted(set(found))


def memory_kib(pid: int) -> dict[str, int]:
    """VmRSS (resident now) and VmHWM (peak resident) of a process, in KiB."""
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            values[key] = int(rest.split()[0])
    return values


# --- Celery workers ------------------------------------------------------------------------------------------------

def celery_worker(name: str, queue: str, env: dict, log_dir: Path, *options: str) -> Started:
    """``celery -A zoneeval worker -Q queue`` as deploy/ runs it (README "Production"), plus ``options``."""
    command = [str(BIN / "celery"), "-A", "zoneeval", "worker", "-Q", queue, "-n", f"{name}-{uuid.uuid4().hex[:6]}@%h",
               "--without-heartbeat", "--without-gossip", "--without-mingle", "-l", "info", *options]
    return start(name, command, env, log_dir)


def delete_queues(broker_url: str, *queues: str) -> None:
    import redis

    client = redis.Redis.from_url(broker_url)
    try:
        client.delete(*queues)
    finally:
        client.close()
