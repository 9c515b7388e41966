"""CPU per request of GET /api/v1/subscribers?limit=100, in this process: the app and
bench/api.py's hello-world (the same 100 rows as JSON from one raw psycopg query) called
through WSGI one after the other, in rounds, timed with time.process_time (CPU of this
process only: on a shared machine wall time measures the neighbours). The database's own
work is in neither figure; the ratio hello/API is what the framework, the token, the rate
limit and the JSON cost beside the bare work.

    python bench/api_cpu.py [--requests 500] [--rounds 5] [--profile]

Needs PostgreSQL (LISTSERVE_BENCH_DATABASE_URL; a database of its own is made and dropped).
"""

import argparse
import cProfile
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPOSITORY))

from bench.api import PATH, hello_api, seed  # noqa: E402
from bench.web import app_environment, create_database  # noqa: E402


def cpu_per_request(client, headers, count: int) -> float:
    """Milliseconds of this process's CPU per request."""
    start = time.process_time()
    for _ in range(count):
        response = client.get(PATH, headers=headers)
        assert response.status_code == 200, response.status_code
    return (time.process_time() - start) / count * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--profile", action="store_true", help="print the API's top functions")
    parser.add_argument("--database-url", default=os.environ.get(
        "LISTSERVE_BENCH_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"))
    options = parser.parse_args()
    database_url, drop_database = create_database(options.database_url)
    try:
        env = app_environment(database_url)
        env["LISTSERVE_API_RATE_LIMIT"] = "100000000 per minute"
        token = seed(env, database_url)
        os.environ.update(env)
        from listserve import create_app

        clients = {"hello": hello_api.test_client(), "api": create_app().test_client()}
        headers = {"Authorization": f"Bearer {token}"}
        for client in clients.values():
            cpu_per_request(client, headers, 50)  # warm-up: connections, caches
        rounds = [{name: cpu_per_request(client, headers, options.requests)
                   for name, client in clients.items()} for _ in range(options.rounds)]
        if options.profile:
            profile = cProfile.Profile(time.process_time)
            profile.runcall(cpu_per_request, clients["api"], headers, options.requests)
            pstats.Stats(profile).sort_stats("cumulative").print_stats(45)
            pstats.Stats(profile).sort_stats("tottime").print_stats(25)
    finally:
        drop_database()
    report(rounds, options)


def report(rounds, options) -> None:
    print(f"\nCPU ms per GET {PATH} in-process (time.process_time), {options.requests} "
          f"requests x {len(rounds)} rounds, medians; load average "
          f"{', '.join(f'{n:.2f}' for n in os.getloadavg())}\n")
    for name in ("hello", "api"):
        print(f"{name:>5}: {statistics.median(r[name] for r in rounds):.3f} ms")
    ratios = [r["hello"] / r["api"] for r in rounds]
    print(f"\nhello CPU / API CPU: {statistics.median(ratios):.2f}x (each round "
          f"{', '.join(f'{x:.2f}' for x in ratios)})")


if __name__ == "__main__":
    main()
