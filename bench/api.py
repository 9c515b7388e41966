"""API throughput: GET /api/v1/subscribers?limit=100 on 100k subscribers, next to a
hello-world returning the same 100 rows as JSON from one raw psycopg query, under the same
gunicorn settings, in the same run, measured with wrk. (A file of its own beside bench/web.py,
whose servers, wrk runs and parsing it reuses.)

    python bench/api.py [--duration 10] [--rounds 3] [--connections 32]

Needs PostgreSQL (LISTSERVE_BENCH_DATABASE_URL, default the local server; a database of its
own is made, loaded and dropped) and wrk. The API side pays for what the bare query does not:
the token (one indexed lookup with its member, kept per process for
API_TOKEN_CACHE_SECONDS as in production), the per-token rate limit, the routing and
argument parsing of flask-smorest, the SQLAlchemy query and the JSON. Issue 23's target:
the API at >= 0.5 x the hello-world's req/s.
"""

import argparse
import os
import statistics
import subprocess
import sys
import threading
from pathlib import Path

import psycopg
import sqlalchemy as sa
from flask import Flask, jsonify

REPOSITORY = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPOSITORY))

from bench.web import (  # noqa: E402
    Gunicorn,
    app_environment,
    create_database,
    parse_wrk,
)

SUBSCRIBERS = 100_000
PATH = "/api/v1/subscribers?limit=100"

hello_api = Flask("hello_api")
_kept = threading.local()

QUERY = """
SELECT s.id, s.subscriber_id, p.email, p.name, s.list_id, s.status, s.requested_at,
       s.confirmed_at, s.unsubscribed_at, s.bounce_score
FROM subscription s JOIN subscriber p ON p.id = s.subscriber_id
WHERE s.id > 0 ORDER BY s.id LIMIT 101
"""
NAMES = ("id", "subscriber_id", "email", "name", "list_id", "status", "requested_at",
         "confirmed_at", "unsubscribed_at", "bounce_score")


@hello_api.get("/")
def ready():
    return "ready"


@hello_api.get("/api/v1/subscribers")
def hello_subscribers():
    """The bare work: one query on a kept connection, the rows as the API's JSON."""
    if getattr(_kept, "connection", None) is None:
        url = sa.make_url(os.environ["LISTSERVE_SQLALCHEMY_DATABASE_URI"])
        _kept.connection = psycopg.connect(
            url.set(drivername="postgresql").render_as_string(hide_password=False),
            autocommit=True)
    rows = _kept.connection.execute(QUERY).fetchall()
    items = []
    for row in rows[:100]:
        item = dict(zip(NAMES, row, strict=True))
        for key in ("requested_at", "confirmed_at", "unsubscribed_at"):
            item[key] = item[key].isoformat() if item[key] is not None else None
        items.append(item)
    return jsonify(items=items, next_cursor=str(items[-1]["id"]) if len(rows) > 100 else None)


SEED = """
INSERT INTO subscriber (email, email_key, name, created_at)
SELECT 'person' || n || '@example.org', 'person' || n || '@example.org', 'Person ' || n, now()
FROM generate_series(1, %(n)s) AS n;
INSERT INTO subscription (subscriber_id, list_id, status, created_at, requested_at,
                          confirmed_at, bounce_score)
SELECT id, (SELECT min(id) FROM mailing_list), 'confirmed', now(), now(), now(), 0
FROM subscriber;
ANALYZE subscriber; ANALYZE subscription;
"""


def seed(env: dict, database_url: str) -> str:
    """Migrate, load the subscribers, make an admin and a read token; return the token."""
    run = dict(cwd=REPOSITORY, env=env, check=True, capture_output=True, text=True, timeout=300)
    subprocess.run([sys.executable, "-m", "listserve", "db", "upgrade"], **run)
    engine = sa.create_engine(database_url)
    with engine.begin() as connection:
        connection.exec_driver_sql(SEED % {"n": SUBSCRIBERS})
    engine.dispose()
    subprocess.run([sys.executable, "-m", "listserve", "members", "add", "bench@example.org",
                    "--name", "Bench", "--admin"], input="bench password long enough\n", **run)
    made = subprocess.run([sys.executable, "-m", "listserve", "api-token", "create", "--member",
                           "bench@example.org", "--name", "bench", "--scope", "read"], **run)
    return made.stdout.strip().splitlines()[0]


def wrk(url: str, token: str, options, seconds: int):
    command = ["wrk", f"-t{options.threads}", f"-c{options.connections}", f"-d{seconds}s",
               "--latency", "--timeout", "5s", "-H", f"Authorization: Bearer {token}", url]
    output = subprocess.run(command, capture_output=True, text=True, check=True,
                            timeout=seconds + 60).stdout
    return parse_wrk(output)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--wrk-threads", type=int, default=2, dest="threads")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4, dest="worker_threads")
    parser.add_argument("--database-url", default=os.environ.get(
        "LISTSERVE_BENCH_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"))
    options = parser.parse_args()
    share = -(-options.connections // options.workers)
    settings = ["-c", "python:listserve.cli", "-k", "gthread", "--workers", str(options.workers),
                "--threads", str(options.worker_threads), "--backlog", "2048",
                "--worker-connections", str(share)]
    database_url, drop_database = create_database(options.database_url)
    servers = []
    try:
        env = app_environment(database_url)
        env["LISTSERVE_API_RATE_LIMIT"] = "100000000 per minute"
        token = seed(env, database_url)
        servers = [Gunicorn("api", "listserve:create_app()", env, settings),
                   Gunicorn("hello", "bench.api:hello_api", env, settings)]
        urls = {server.name: server.start() + PATH for server in servers}
        rounds = []
        for number in range(options.rounds):
            results = {}
            for name in ("hello", "api"):
                wrk(urls[name], token, options, seconds=5 if number == 0 else 2)  # warm-up
                results[name] = wrk(urls[name], token, options, seconds=options.duration)
                print(f"round {number + 1}, {name}: {results[name]}", file=sys.stderr)
            rounds.append(results)
        report(rounds, options, settings)
        for server in servers:
            if logged := server.errors_logged():
                print(f"\n{server.name} logged:\n{logged}")
    finally:
        for server in servers:
            server.stop()
        drop_database()


def report(rounds, options, settings) -> None:
    load = ", ".join(f"{n:.2f}" for n in os.getloadavg())
    print(f"\nGET {PATH} on {SUBSCRIBERS:,} subscribers; wrk -t{options.threads} "
          f"-c{options.connections} -d{options.duration}s, {len(rounds)} round(s), medians; "
          f"gunicorn {' '.join(settings)}; PostgreSQL; load average {load}\n")
    print("| target | req/s | p50 ms | p99 ms | errors |")
    print("|---|---:|---:|---:|---:|")
    for name, label in (("hello", "hello-world: one raw psycopg query"),
                        ("api", "listserve GET /api/v1/subscribers")):
        results = [r[name] for r in rounds]
        print(f"| {label} | {statistics.median(r.requests_per_second for r in results):.0f} "
              f"| {statistics.median(r.p50_ms for r in results):.1f} "
              f"| {statistics.median(r.p99_ms for r in results):.1f} "
              f"| {sum(r.errors for r in results)} |")
    ratios = [r["api"].requests_per_second / r["hello"].requests_per_second for r in rounds]
    print(f"\nAPI / hello-world: {statistics.median(ratios):.2f}x (each round "
          f"{', '.join(f'{x:.2f}' for x in ratios)}; target >= 0.5)")


if __name__ == "__main__":
    main()
