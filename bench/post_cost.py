"""Where a subscribe POST's cost comes from, in-process: CPU time per POST for the hello-world,
for listserve answering a POST that does nothing (its floor: session cookie, the app's hooks,
security headers), for a subscribe POST, and for a subscribe POST with rate limiting switched
off. No server and no load generator: Flask's test client and `time.process_time`, so
the figures are this process's CPU alone (PostgreSQL's backend is not counted).

    python bench/post_cost.py [--posts 3000]            # SQLite in a temporary folder
    LISTSERVE_TEST_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test \\
        python bench/post_cost.py                       # a private PostgreSQL database

`bench/web.py` measures the same routes under gunicorn and wrk; this script says which part of
the application the gap to the hello-world is in.
"""

import argparse
import itertools
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from flask import redirect, request  # noqa: E402
from flask_migrate import upgrade  # noqa: E402

from bench.web import hello_world  # noqa: E402
from listserve import create_app  # noqa: E402
from listserve.extensions import csrf, db  # noqa: E402
from tests.support import make_test_database  # noqa: E402

FORM = {"name": "A Person"}
ROUNDS = 5


ADDRESSES = itertools.count(1000)  # every POST a new address, across routes and rounds


def cpu_per_post(client, path: str, posts: int, form: dict, expect: int) -> float:
    """Microseconds of this process's CPU per POST, after a warm-up."""
    def post(count: int) -> None:
        for _ in range(count):
            data = {**form, "email": f"cost-{next(ADDRESSES)}@example.org"}
            response = client.post(path, data=data, environ_base={"REMOTE_ADDR": "127.0.0.1"})
            if response.status_code != expect:
                sys.exit(f"POST {path} answered {response.status_code}, not {expect}")

    post(50)
    began = time.process_time()
    post(posts)
    return (time.process_time() - began) / posts * 1e6


def listserve_app(url: str, limiter_on: bool):
    app = create_app({
        "SQLALCHEMY_DATABASE_URI": url,
        "SECRET_KEY": "bench",
        "SUBSCRIBE_RATE_LIMIT": "10000000 per minute",
        "RATELIMIT_ENABLED": limiter_on,
    })

    def nothing():
        request.form.get("email")
        return redirect("/subscribe/check-your-inbox", 303)

    # The floor: a view that does no work, behind every hook the real routes have but CSRF.
    app.add_url_rule("/_bench/nothing", "bench_nothing", nothing, methods=["POST"])
    csrf.exempt(nothing)
    return app


def csrf_form(client) -> dict:
    page = client.get("/subscribe").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    return {**FORM, "csrf_token": token.group(1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=3000, help="POSTs per figure")
    posts = parser.parse_args().posts
    url, drop = make_test_database(tempfile.mkdtemp())
    try:
        app = listserve_app(url, limiter_on=True)
        with app.app_context():
            upgrade(directory=app.extensions["migrate"].directory)
        unlimited = listserve_app(url, limiter_on=False)
        clients = {"hello": hello_world.test_client(), "app": app.test_client(),
                   "unlimited": unlimited.test_client()}
        form = csrf_form(clients["app"])  # the session cookie holding the CSRF token, from now on
        unlimited_form = csrf_form(clients["unlimited"])
        rows = {  # label: (client, path, form, expected status)
            "hello-world POST": ("hello", "/", FORM, 200),
            "listserve, a POST doing nothing": ("app", "/_bench/nothing", form, 303),
            "subscribe POST": ("app", "/subscribe", form, 303),
            "subscribe POST, no limiter": ("unlimited", "/subscribe", unlimited_form, 303),
        }
        # Round after round, each route in turn: this shared machine's speed drifts, and a
        # drift then touches every route alike; the median of the rounds is printed.
        figures = {label: [] for label in rows}
        for _ in range(ROUNDS):
            for label, (name, path, data, expect) in rows.items():
                figures[label].append(cpu_per_post(clients[name], path, posts // ROUNDS, data,
                                                   expect))
        hello = statistics.median(figures["hello-world POST"])
        print(f"{url.split(':', 1)[0]}, {posts} POSTs each in {ROUNDS} rounds, "
              "CPU of this process per POST (median of the rounds):")
        for label, each in figures.items():
            micros = statistics.median(each)
            print(f"  {label:<34} {micros:7.0f} µs  {micros / hello:5.2f}× hello-world")
        for each in (app, unlimited):
            with each.app_context():
                db.engine.dispose()
    finally:
        drop()


if __name__ == "__main__":
    main()
