"""A real Celery worker (Redis broker) against the pytest PostgreSQL database.

Use the `celery_worker` fixture in a test marked `@pytest.mark.integration`; tasks sent with
`.delay()` from the test then run in the worker process, and `wait_until()` polls for their effect.
The fixture uses a queue of its own, so parallel test runs sharing a Redis db never steal each
other's tasks.
"""

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_TEST_BROKER = "redis://127.0.0.1:6379/15"


@dataclass
class Worker:
    process: subprocess.Popen
    queue: str
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


def wait_until(
    predicate: Callable[[], object], *, timeout: float = 30.0, interval: float = 0.2, what: str = ""
):
    """Poll until `predicate()` is truthy and return its value; fail the test on timeout."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    pytest.fail(f"Timed out after {timeout:.0f}s waiting for {what or predicate}.")


def _database_url() -> str:
    s = connection.settings_dict
    auth = quote(s["USER"] or "", safe="")
    if s.get("PASSWORD"):
        auth += ":" + quote(s["PASSWORD"], safe="")
    host = s.get("HOST") or "127.0.0.1"
    port = s.get("PORT") or "5432"
    return f"postgres://{auth}@{host}:{port}/{s['NAME']}"


def _redis_ok(url: str) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=2).ping())
    except redis.RedisError:
        return False


def _point_app_at(broker: str, queue: str) -> Callable[[], None]:
    """Send this process's tasks to the worker's broker and queue; returns the undo."""
    from kombu import pools as kombu_pools

    from sightline.celery import app

    saved = (app.conf.broker_url, app.conf.task_default_queue, app.conf.broker_transport_options,
             app.conf.task_always_eager)  # fmt: skip

    def reset_pools() -> None:
        # kombu keeps pools in a global registry; clear it too, or a closed pool is handed out again.
        kombu_pools.reset()
        app._pool = None
        app.amqp._producer_pool = None

    app.conf.broker_url, app.conf.task_default_queue = broker, queue
    app.conf.broker_transport_options, app.conf.task_always_eager = {}, False
    reset_pools()

    def undo() -> None:
        (
            app.conf.broker_url,
            app.conf.task_default_queue,
            app.conf.broker_transport_options,
            app.conf.task_always_eager,
        ) = saved
        reset_pools()

    return undo


def worker_env(broker: str | None = None) -> dict:
    """A worker process's environment: the test database, the test broker, real task sends."""
    return dict(
        os.environ,
        DATABASE_URL=_database_url(),
        CELERY_BROKER_URL=broker or os.environ.get("CELERY_TEST_BROKER_URL", DEFAULT_TEST_BROKER),
        CELERY_TASK_ALWAYS_EAGER="0",
        SIGHTLINE_STORAGE_DIR=str(settings.SIGHTLINE_STORAGE_DIR),
    )


@pytest.fixture
def celery_worker(transactional_db, tmp_path):
    """Start `celery -A sightline worker --pool=solo` on Redis and the test database; stop it after."""
    if connection.vendor != "postgresql":
        pytest.skip(
            "Needs PostgreSQL (set DATABASE_URL): the worker process cannot share SQLite's test database."
        )
    broker = os.environ.get("CELERY_TEST_BROKER_URL", DEFAULT_TEST_BROKER)
    if not _redis_ok(broker):
        pytest.fail(
            f"Redis is not reachable at {broker} (set CELERY_TEST_BROKER_URL or start redis-server)."
        )
    queue = f"sightline-test-{uuid.uuid4().hex[:12]}"
    log_path = tmp_path / "celery-worker.log"
    env = worker_env(broker)
    command = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "sightline",
        "worker",
        "--pool=solo",
        "--loglevel=INFO",
        "-Q",
        queue,
        "-n",
        f"{queue}@%h",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
    ]
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    worker = Worker(process, queue, log_path)
    undo = _point_app_at(broker, queue)
    try:
        deadline = time.monotonic() + 60
        while " ready." not in worker.log():
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(
                    f"Celery worker did not start (exit {process.poll()}):\n{worker.log()[-3000:]}"
                )
            time.sleep(0.2)
        yield worker
    finally:
        undo()
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
        connection.close()  # the worker's connections are gone; start the flush on a fresh one


@pytest.fixture
def second_worker(celery_worker, tmp_path):
    """Another solo worker process on the first one's queue: two processes taking tasks at once."""
    args = list(celery_worker.process.args)
    args[args.index("-n") + 1] = f"second-{celery_worker.queue}@%h"
    log_path = tmp_path / "celery-worker-2.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            args, cwd=ROOT, env=worker_env(), stdout=log, stderr=subprocess.STDOUT
        )
    worker = Worker(process, celery_worker.queue, log_path)
    try:
        wait_until(
            lambda: " ready." in worker.log() or process.poll() is not None,
            timeout=60,
            what="the second worker",
        )
        assert process.poll() is None, worker.log()[-3000:]
        yield worker
    finally:
        process.terminate()
        process.wait(timeout=15)
