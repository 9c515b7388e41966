"""Web throughput: listserve under gunicorn on PostgreSQL, side by side with a hello-world
Flask app under the same gunicorn settings, in the same run, measured with wrk.

    python bench/web.py [--duration 10] [--rounds 3] [--connections 32]
                        [--workers 2 --threads 4 -k gthread]

Needs PostgreSQL (LISTSERVE_BENCH_DATABASE_URL, default the local server; a database of its
own is created, loaded with 10k archive posts and 200k comments, and dropped) and wrk
(`apt-get install wrk`). Everything stays on 127.0.0.1. Prints req/s, p50, p99 and errors per
target, and each target's req/s as a fraction of the hello-world's (GETs against hello GET,
POSTs against hello POST, subscribe against hello POST + INSERT), and each page's p99 as a
multiple of the hello-world GET's p99 in the same round (the discussion list's thread page is
also judged by its req/s: >= 0.5 x the hello GET's, issue 24). Every target, the hello-worlds too,
is measured once per round; the table gives the medians, and each target's ratio in every
round.

"hello POST + INSERT" is the hello-world storing each POST with one committed INSERT before it
answers (psycopg, autocommit, a kept connection): the cheapest way to keep a POST, and so the
ceiling for any route that must store what it was sent, as subscribing does.
"""

import argparse
import http.cookiejar
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import psycopg
import sqlalchemy as sa
from flask import Flask, request

REPOSITORY = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPOSITORY))

from bench.archive_seed import TYPICAL_POST, seed_archive, seed_discussion  # noqa: E402
from tests.support import private_database  # noqa: E402

hello_world = Flask("hello_world")


@hello_world.get("/")
def hello():
    return "Hello, World!"


@hello_world.post("/")
def hello_post():
    return f"Hello, {request.form.get('name', 'World')}!"


_kept = threading.local()


@hello_world.post("/stored")
def hello_post_stored():
    """The least any web app can do to keep what was posted before it answers: one INSERT,
    committed by the server on its own (autocommit: one round trip), on a connection the
    thread keeps open. A subscribe POST stores its row that way too, and does more besides."""
    name = request.form.get("name", "World")
    if getattr(_kept, "connection", None) is None:
        url = sa.make_url(os.environ["LISTSERVE_SQLALCHEMY_DATABASE_URI"])
        _kept.connection = psycopg.connect(
            url.set(drivername="postgresql").render_as_string(hide_password=False),
            autocommit=True,
        )
    _kept.connection.execute("INSERT INTO hello_post (name) VALUES (%s)", (name,))
    return f"Hello, {name}!"


@dataclass
class Target:
    name: str
    server: str  # "app" or "hello"
    path: str
    method: str = "GET"
    baseline: str = "hello GET"
    always: bool = False  # measured whatever --only names, like the hello-worlds


# Targets (issue 17, medians of the rounds): subscribe POST >= 0.5 x "hello POST + INSERT"
# req/s (a sign-up is durable before the page answers; that row alone is the floor); each
# page's p99 <= 2 x the hello-world GET's p99 in the same round; no errors.
TARGETS = [
    Target("hello GET", "hello", "/", baseline="", always=True),
    Target("hello POST (form)", "hello", "/", "POST", baseline="", always=True),
    Target("hello POST + INSERT", "hello", "/stored", "POST", baseline="hello POST (form)",
           always=True),
    Target("archive list", "app", "/archive/announcements/"),
    Target("post page", "app", TYPICAL_POST),
    Target("thread page", "app", "/archive/talk/thread/"),  # the seeded thread's id follows
    Target("home page", "app", "/"),
    Target("ecosystem page", "app", "/ecosystem"),
    Target("subscribe POST", "app", "/subscribe", "POST", baseline="hello POST + INSERT"),
]


@dataclass
class Result:
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    errors: int
    requests: int = 0
    cpu_ms: float = 0.0  # gunicorn's CPU time (master and workers) per request
    db_cpu_ms: float = 0.0  # PostgreSQL's (every server process on this machine) per request
    error_detail: str = ""  # wrk's own lines about the errors, when there were any


def main() -> None:
    options = parse_arguments()
    if not shutil_which("wrk"):
        sys.exit("wrk is not installed: apt-get install -y wrk")
    database_url, drop_database = create_database(options.database_url)
    servers = []
    try:
        env = app_environment(database_url)
        run([sys.executable, "-m", "listserve", "demo", "--pages-only"], env)  # posts: seeded
        create_hello_table(database_url)
        seeded = seed_archive(database_url)
        print(seeded, file=sys.stderr)
        run([sys.executable, "-m", "listserve", "lists", "create", "talk", "--name", "Talk",
             "kind=discussion"], env)
        thread_page = seed_discussion(database_url, "talk")
        for target in options.targets:
            if target.name == "thread page":
                target.path = thread_page
        servers.append(Gunicorn("app", "listserve:create_app()", env, options.gunicorn))
        servers.append(Gunicorn("hello", "bench.web:hello_world", env, options.gunicorn))
        urls = {server.name: server.start() for server in servers}
        rounds = []  # one {target name: Result} per round
        for number in range(options.rounds):
            results = {}
            for target in options.targets:
                script = post_script(urls["app"], target) if target.method == "POST" else None
                url = urls[target.server] + target.path
                server = next(s for s in servers if s.name == target.server)
                # Not counted: the first round warms each server longer (its first pages are
                # rendered and kept, its threads and connections made).
                wrk(url, script, options, seconds=6 if number == 0 else 2)
                cpu_before, db_before = server.cpu_seconds(), database_cpu_seconds()
                result = wrk(url, script, options, seconds=options.duration)
                requests = max(result.requests, 1)
                result.cpu_ms = (server.cpu_seconds() - cpu_before) * 1000 / requests
                result.db_cpu_ms = (database_cpu_seconds() - db_before) * 1000 / requests
                results[target.name] = result
                print(f"round {number + 1}, {target.name}: {result}", file=sys.stderr)
            rounds.append(results)
        print_table(rounds, options)
        for server in servers:
            if logged := server.errors_logged():
                print(f"\n{server.name} logged:\n{logged}")
        if "subscribe POST" in rounds[0]:
            print(carry_out_signups(env))
    finally:
        for server in servers:
            server.stop()
        drop_database()


def parse_arguments():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds per target")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=3,
                        help="every target (the hello-worlds too) is measured once per round; "
                        "the table gives medians over the rounds")
    parser.add_argument("--only", default="", help="comma-separated targets, e.g. 'archive "
                        "list,post page' (the hello-worlds always run)")
    parser.add_argument("--wrk-threads", type=int, default=2, dest="threads")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--threads", type=int, default=4, dest="worker_threads",
                        help="gunicorn threads per worker (gthread)")
    parser.add_argument("-k", "--worker-class", default="gthread", help="gunicorn worker class")
    parser.add_argument("--worker-connections", type=int, default=0,
                        help="connections each gunicorn worker holds at most (default: an equal "
                        "share of wrk's, so that both processes serve)")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("LISTSERVE_BENCH_DATABASE_URL",
                               "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"),
        help="a PostgreSQL server; the benchmark makes (and drops) a database of its own there",
    )
    options = parser.parse_args()
    options.duration = max(1, min(options.duration, 40))
    options.rounds = max(1, options.rounds)
    chosen = {name.strip() for name in options.only.split(",") if name.strip()}
    options.targets = [t for t in TARGETS if not chosen or t.always or t.name in chosen]
    # wrk opens its connections once and keeps them. Left to themselves, the gunicorn worker
    # that wakes first may accept all of them and serve the whole run on one core (under the
    # GIL) while the other process idles: req/s then halves at random, for listserve and the
    # hello-world alike. An equal share each keeps both processes at work.
    share = options.worker_connections or -(-options.connections // options.workers)
    options.gunicorn = [
        # listserve serve's hooks (gc.freeze after start-up), for the hello-world too.
        "-c", "python:listserve.cli",
        "-k", options.worker_class, "--workers", str(options.workers),
        "--threads", str(options.worker_threads), "--backlog", "2048",
        "--worker-connections", str(share),
    ]
    return options


def create_hello_table(database_url: str) -> None:
    engine = sa.create_engine(database_url)
    with engine.begin() as connection:
        connection.exec_driver_sql(
            "CREATE TABLE hello_post (id serial PRIMARY KEY, name varchar(200) NOT NULL)"
        )
    engine.dispose()


def shutil_which(name: str) -> str | None:
    from shutil import which

    return which(name)


def create_database(server_url: str):
    server = sa.make_url(server_url)
    if server.get_backend_name() != "postgresql":
        sys.exit("the web benchmark runs on PostgreSQL")
    return private_database(server_url, "listserve_bench")


def app_environment(database_url: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LISTSERVE_")}
    env.pop("DATABASE_URL", None)
    env.update({
        "LISTSERVE_SQLALCHEMY_DATABASE_URI": database_url,
        "LISTSERVE_SECRET_KEY": "bench-secret-key",
        "LISTSERVE_BASE_URL": "http://127.0.0.1:8000",
        "LISTSERVE_LIST_DOMAIN": "lists.example.org",
        "LISTSERVE_MAILBOX_DIR": tempfile.mkdtemp(prefix="listserve-bench-mail-"),
        # The benchmark subscribes thousands of times from one address.
        "LISTSERVE_SUBSCRIBE_RATE_LIMIT": "10000000 per minute",
        "PYTHONPATH": str(REPOSITORY),
    })
    return env


CARRY_OUT = """
import time
from listserve import create_app
from listserve.extensions import db
from listserve.subscriptions.models import SignupRequest
from listserve.subscriptions.jobs import carry_out_signup_requests
import sqlalchemy as sa
app = create_app()
with app.app_context():
    waiting = db.session.scalar(sa.select(sa.func.count(SignupRequest.id)))
    db.session.commit()
    started, done = time.perf_counter(), 0
    while time.perf_counter() - started < 20 and (taken := carry_out_signup_requests()):
        done += taken
    print(done, time.perf_counter() - started, waiting)
"""


def carry_out_signups(env: dict) -> str:
    """The other half of a subscribe POST: a worker process starting the double opt-in of the
    requests the POSTs stored (subscriber, subscription, consent record, confirmation mail in
    the outbox), for at most 20 s."""
    output = subprocess.run([sys.executable, "-c", CARRY_OUT], cwd=REPOSITORY, env=env,
                            check=True, capture_output=True, text=True, timeout=120).stdout
    done, seconds, waiting = output.split()
    rate = int(done) / float(seconds)
    return (f"\nrequests to join carried out by one worker process: {rate:,.0f}/s "
            f"({done} of the {waiting} the subscribe POSTs stored, in {float(seconds):.1f} s)")


def run(command: list[str], env: dict) -> None:
    subprocess.run(command, cwd=REPOSITORY, env=env, check=True, capture_output=True, timeout=120)


class Gunicorn:
    def __init__(self, name: str, application: str, env: dict, settings: list[str]):
        self.name, self.application, self.env = name, application, env
        self.settings = settings  # the same for listserve and the hello-world
        self.process = None
        # The server's stderr, its errors if any; closed (and gone) with the benchmark.
        self.log = tempfile.TemporaryFile()  # noqa: SIM115

    def errors_logged(self) -> str:
        """What the server wrote to stderr about failures (tracebacks, timed-out workers)."""
        self.log.seek(0)
        lines = self.log.read().decode(errors="replace").splitlines()
        return "\n".join(line for line in lines
                         if re.search(r"error|exception|traceback|timeout", line, re.IGNORECASE))

    def start(self) -> str:
        port = free_port()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", *self.settings, "--bind", f"127.0.0.1:{port}",
             self.application],
            # A file, not a pipe nobody reads while it runs: a full pipe would stall the server.
            cwd=REPOSITORY, env=self.env, stdout=subprocess.DEVNULL, stderr=self.log,
            start_new_session=True,
        )
        url = f"http://127.0.0.1:{port}"
        for _ in range(300):  # about 30 s
            if self.process.poll() is not None:
                self.log.seek(0)
                sys.exit(f"{self.name} did not start:\n{self.log.read().decode()}")
            try:
                with urllib.request.urlopen(url + "/", timeout=2):  # noqa: S310 - loopback
                    return url
            except OSError:
                time.sleep(0.1)
        sys.exit(f"{self.name} did not answer on {url}")

    def cpu_seconds(self) -> float:
        """CPU time used so far by the master and its workers: on a shared, noisy machine
        this cost per request says more than requests per second."""
        return cpu_seconds(lambda pid, parent, _name: self.process.pid in (pid, parent))

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)


def cpu_seconds(belongs) -> float:
    """CPU time used so far by the processes that `belongs(pid, parent pid, name)` picks."""
    ticks = 0
    for entry in filter(str.isdigit, os.listdir("/proc")):
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        name = stat[stat.index("(") + 1:stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2:].split()  # after "pid (name) "
        if belongs(int(entry), int(fields[1]), name):
            ticks += int(fields[11]) + int(fields[12])  # utime + stime
    return ticks / os.sysconf("SC_CLK_TCK")


def database_cpu_seconds() -> float:
    """PostgreSQL's CPU time so far, when it runs on this machine (as the default URL has it)."""
    return cpu_seconds(lambda _pid, _parent, name: name == "postgres")


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


POST_SCRIPT = """
local threads = {}
function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end
local count = 0
request = function()
  count = count + 1
  local body = "%(body)s&email=bench-" .. id .. "-" .. count .. "%%40example.org"
  return wrk.format("POST", "%(path)s", {
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Cookie"] = "%(cookie)s",
  }, body)
end
"""


def post_script(app_url: str, target: Target) -> Path:
    """A wrk script that POSTs forms as a browser would: one session's cookie and CSRF token
    (fetched here first), and a new address on every request."""
    body = {"name": "Bench"}
    cookie = ""
    if target.server == "app":
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        with opener.open(app_url + target.path, timeout=10) as page:
            html = page.read().decode()
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
        body["csrf_token"] = token
        cookie = "; ".join(f"{c.name}={c.value}" for c in jar)
    script = Path(tempfile.mkstemp(prefix="listserve-bench-", suffix=".lua")[1])
    script.write_text(POST_SCRIPT % {
        "body": urllib.parse.urlencode(body), "path": target.path, "cookie": cookie,
    })
    return script


def wrk(url: str, script: Path | None, options, seconds: int) -> Result:
    command = ["wrk", f"-t{options.threads}", f"-c{options.connections}", f"-d{seconds}s",
               "--latency", "--timeout", "5s"]
    if script:
        command += ["-s", str(script)]
    output = subprocess.run(command + [url], capture_output=True, text=True, check=True,
                            timeout=seconds + 60).stdout
    return parse_wrk(output)


UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def parse_wrk(output: str) -> Result:
    def latency(percent: str) -> float:
        match = re.search(rf"^\s+{percent}%\s+([\d.]+)(us|ms|s|m)\s*$", output, re.MULTILINE)
        return float(match.group(1)) * UNITS_MS[match.group(2)]

    errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", output))
    non_success = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    errors += int(non_success.group(1)) if non_success else 0
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    requests = int(re.search(r"(\d+) requests in", output).group(1))
    detail = "; ".join(line.strip() for line in output.splitlines()
                       if line.strip().startswith(("Socket errors", "Non-2xx")))
    return Result(rate, latency("50"), latency("99"), errors, requests, error_detail=detail)


def print_table(rounds: list[dict[str, Result]], options) -> None:
    """Medians over the rounds. A target's ratio is taken within each round, against the
    hello-world measured minutes before it on the same machine, and the median of those
    ratios is shown: this shared machine's speed drifts over a run."""
    load = ", ".join(f"{n:.2f}" for n in os.getloadavg())
    print(f"\nwrk -t{options.threads} -c{options.connections} -d{options.duration}s, "
          f"{len(rounds)} round(s), medians; gunicorn {' '.join(options.gunicorn)}; PostgreSQL; "
          f"{os.cpu_count()} CPUs; load average {load}\n")
    print(f"| {'target':<20} | {'req/s':>8} | {'p50 ms':>7} | {'p99 ms':>7} | {'errors':>6} "
          f"| {'x hello':>7} | {'CPU ms/req':>10} | {'DB ms/req':>9} "
          f"| {'x hello, each round':<20} |")
    print(f"|{'-' * 22}|{'-' * 9}:|{'-' * 8}:|{'-' * 8}:|{'-' * 7}:|{'-' * 8}:|{'-' * 11}:|"
          f"{'-' * 10}:|{'-' * 22}|")
    for target in options.targets:
        results = [r[target.name] for r in rounds]
        ratio, each = "-", ""
        if target.baseline:
            ratios = [r[target.name].requests_per_second / r[target.baseline].requests_per_second
                      for r in rounds]
            ratio = f"{statistics.median(ratios):.2f}"
            each = ", ".join(f"{x:.2f}" for x in ratios)
        print(f"| {target.name:<20} "
              f"| {statistics.median(r.requests_per_second for r in results):>8.0f} "
              f"| {statistics.median(r.p50_ms for r in results):>7.1f} "
              f"| {statistics.median(r.p99_ms for r in results):>7.1f} "
              f"| {sum(r.errors for r in results):>6} | {ratio:>7} "
              f"| {statistics.median(r.cpu_ms for r in results):>10.3f} "
              f"| {statistics.median(r.db_cpu_ms for r in results):>9.3f} | {each:<20} |")
    names = {t.name for t in options.targets}
    print()
    if {"subscribe POST", "hello POST + INSERT"} <= names:
        against = [r["subscribe POST"].requests_per_second
                   / r["hello POST + INSERT"].requests_per_second for r in rounds]
        median = statistics.median(against)
        print(f"subscribe POST req/s against hello POST + INSERT (a POST stored, nothing else): "
              f"{median:.2f}x (each round {', '.join(f'{x:.2f}' for x in against)}); "
              f"target >= 0.5: {'met' if median >= 0.5 else 'NOT met'}")
    if "thread page" in names:  # issue 24: a discussion thread's page >= 0.5 x hello's req/s
        against = [r["thread page"].requests_per_second / r["hello GET"].requests_per_second
                   for r in rounds]
        median = statistics.median(against)
        print(f"thread page req/s against hello GET: {median:.2f}x (each round "
              f"{', '.join(f'{x:.2f}' for x in against)}); target >= 0.5: "
              f"{'met' if median >= 0.5 else 'NOT met'}")
    for target in options.targets:
        if target.method != "GET" or target.server != "app":
            continue
        against = [r[target.name].p99_ms / r["hello GET"].p99_ms for r in rounds]
        median = statistics.median(against)
        print(f"{target.name} p99 against hello GET p99: {median:.2f}x (each round "
              f"{', '.join(f'{x:.2f}' for x in against)}); target <= 2: "
              f"{'met' if median <= 2 else 'NOT met'}")
    print("\np99 ms in each round: " + "; ".join(
        f"{t.name} " + ", ".join(f"{r[t.name].p99_ms:.0f}" for r in rounds)
        for t in options.targets))
    for number, results in enumerate(rounds, 1):
        for name, result in results.items():
            if result.errors:
                print(f"errors in round {number}, {name}: {result.error_detail}")

if __name__ == "__main__":
    main()
