"""Sign-up surge: N requests to join posted through the real subscribe route (gunicorn, CSRF,
one new address each), then carried out by K worker processes until every confirmation mail
has been accepted by Postfix's smtp-sink, next to the announcement fan-out rate of the same
workers measured in the same run.

    python bench/signups.py [--signups 10000] [--workers 1,2] [--repeat 2]

PostgreSQL only (a private database is made on 127.0.0.1:5432 and dropped). The subscribe
rate limit is lifted for the benchmark's server only. The clock stops at the last
confirmation accepted by the sink (its copy's sent_at, written when the sink answered). It
starts, in two runs each round, when every row is stored:
- with workers already running, as in a deployment: started and idle before the surge, then
  held (SIGSTOP) while the POSTs are stored and let go (SIGCONT) at that moment;
- with workers launched at that moment, their process start-up (about a second of imports
  and app set-up) counted as well.
The fan-out reference is bench/delivery.py's: one announcement to N confirmed subscribers, the
rate from the first to the last sent_at (the workers' start-up not counted), measured in the
same round. Target: sign-ups/s ≥ 0.5× the fan-out rate with the same number of workers.
"""

import argparse
import compileall
import http.client
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
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.delivery import (  # noqa: E402
    enqueue,
    requeue,
    run_workers,
    seed,
    sent_rate,
    start_sink,
)
from bench.web import Gunicorn  # noqa: E402
from listserve import create_app  # noqa: E402
from listserve.extensions import db  # noqa: E402
from tests.support import private_database  # noqa: E402


def post_signups(url: str, count: int, threads: int = 8) -> float:
    """POST `count` subscribe forms as browsers would (a session cookie, its CSRF token, a
    new address each) over kept-alive connections; return the seconds it took."""
    host, port = urllib.parse.urlsplit(url).netloc.split(":")
    failures: list[str] = []

    def one_browser(first: int, step: int) -> None:
        connection = http.client.HTTPConnection(host, int(port), timeout=30)
        connection.request("GET", "/subscribe")
        page = connection.getresponse()
        html = page.read().decode()
        cookie = page.getheader("Set-Cookie").split(";")[0]
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
        for n in range(first, count, step):
            body = urllib.parse.urlencode({"csrf_token": token, "name": f"Joiner {n}",
                                           "email": f"joiner{n}@example.org"})
            connection.request("POST", "/subscribe", body, {
                "Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie,
                "User-Agent": "bench/signups"})
            answer = connection.getresponse()
            answer.read()
            if answer.status != 303:
                failures.append(f"{n}: {answer.status}")
        connection.close()

    started = time.perf_counter()
    workers = [threading.Thread(target=one_browser, args=(i, threads)) for i in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    if failures:
        sys.exit(f"{len(failures)} POSTs failed, e.g. {failures[:3]}")
    return time.perf_counter() - started


def stored(app) -> int:
    from listserve.subscriptions.models import SignupRequest

    with app.app_context():
        count = db.session.scalar(sa.select(sa.func.count(SignupRequest.id)))
        db.session.rollback()
        return count


def confirmations(app, since) -> tuple[int, object, object]:
    """(confirmations accepted by the sink since `since`, first and last sent_at)."""
    from listserve.delivery.models import Mailing, OutboxEntry

    with app.app_context():
        row = db.session.execute(
            sa.select(sa.func.count(), sa.func.min(OutboxEntry.sent_at),
                      sa.func.max(OutboxEntry.sent_at))
            .join(Mailing, Mailing.id == OutboxEntry.mailing_id)
            .where(Mailing.purpose == "subscription.confirm", OutboxEntry.status == "sent",
                   OutboxEntry.sent_at >= since)
        ).one()
        db.session.rollback()
        return row


def forget_joiners(app) -> None:
    """Start each repetition from the same state: the joiners unknown again."""
    from listserve.delivery.models import Mailing
    from listserve.subscriptions.models import SignupRequest, Subscriber

    with app.app_context():
        db.session.execute(sa.delete(SignupRequest))
        db.session.execute(sa.delete(Mailing).where(Mailing.purpose == "subscription.confirm"))
        db.session.execute(sa.delete(Subscriber).where(Subscriber.email.like("joiner%")))
        db.session.commit()
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE")


def threads_cpu(pid: int) -> float:
    """Seconds of CPU a live process has used, all its threads together, those that ended
    included (/proc/PID/stat, in clock ticks): a worker sends in one thread, commits results
    in another, and runs its round's jobs in a third."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run_warm_workers(app, env: dict, workers: int, base: str, count: int):
    """The surge meeting workers that are already running, as in a deployment: the workers
    start, finish their start-up and go idle; they are then stopped (SIGSTOP) while the
    sign-ups are POSTed, and let go (SIGCONT) the moment every row is stored. Return
    (seconds from that moment to the last confirmation, worker CPU seconds since it)."""
    args = [sys.executable, "-m", "listserve", "worker"]
    procs = [subprocess.Popen(args, cwd=ROOT, env=env, stdout=subprocess.DEVNULL)
             for _ in range(workers)]
    try:
        _wait_idle(procs)
        for proc in procs:
            proc.send_signal(signal.SIGSTOP)
        post_signups(base, count)
        assert stored(app) == count, stored(app)
        cpu_before = [threads_cpu(proc.pid) for proc in procs]
        with app.app_context():
            from listserve.core.db import utcnow

            launched = utcnow()
        for proc in procs:
            proc.send_signal(signal.SIGCONT)
        deadline = time.monotonic() + 300
        while confirmations(app, launched)[0] < count and time.monotonic() < deadline:
            time.sleep(0.1)
        cpu = sum(threads_cpu(p.pid) - before for p, before in zip(procs, cpu_before, strict=True))
    finally:
        for proc in procs:
            proc.send_signal(signal.SIGCONT)
            proc.terminate()
        for proc in procs:
            proc.wait(60)
    sent, _first, last = confirmations(app, launched)
    if sent != count:
        sys.exit(f"only {sent:,} confirmations sent by running workers")
    return (last - launched).total_seconds(), cpu


def _wait_idle(procs, quiet: float = 0.6, limit: float = 30.0) -> None:
    """Until every worker has finished starting: its CPU time still for `quiet` seconds."""
    started, last, still_since = time.monotonic(), None, time.monotonic()
    while time.monotonic() - started < limit:
        now = [threads_cpu(proc.pid) for proc in procs]
        if now != last:
            last, still_since = now, time.monotonic()
        elif time.monotonic() - still_since >= quiet and all(now):
            return
        time.sleep(0.05)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--signups", type=int, default=10000)
    parser.add_argument("--workers", default="1,2")
    parser.add_argument("--repeat", type=int, default=2, help="runs per worker count")
    parser.add_argument("--database", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres",
                        help="a PostgreSQL server; a private database is made there")
    opts = parser.parse_args()

    # As a deployment runs it: pip installs a package with its bytecode compiled, and the
    # workers' start-up (counted below) should not compile the sources again each time.
    compileall.compile_dir(ROOT / "listserve", quiet=1)
    url, drop = private_database(opts.database, "listserve_bench")
    port, sink_kind, _sink_pid, stop_sink = start_sink()
    tmp = Path(tempfile.mkdtemp())
    settings = {
        "SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "BASE_URL": "http://127.0.0.1",
        "LIST_DOMAIN": "lists.example.org", "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": port,
        "MAILBOX_DIR": str(tmp / "mailbox"),
        # For this benchmark's server only: thousands of sign-ups from one IP.
        "SUBSCRIBE_RATE_LIMIT": "100000000 per minute",
    }
    env = {k: v for k, v in os.environ.items() if not k.startswith("LISTSERVE_")}
    env.update({f"LISTSERVE_{k}": str(v) for k, v in settings.items()})
    env["PYTHONPATH"] = str(ROOT)
    web = None
    try:
        app = create_app(settings)
        with app.app_context():
            from flask_migrate import upgrade

            upgrade(directory=app.extensions["migrate"].directory)
        seed(app, opts.signups)  # the announcement's readers, the same number as sign-ups
        mailing_id, _ = enqueue(app, "announcement:bench")
        web = Gunicorn("app", "listserve:create_app()", env,
                       ["-c", "python:listserve.cli", "-k", "gthread", "--workers", "2",
                        "--threads", "4"])
        base = web.start()
        counts = [int(w) for w in opts.workers.split(",")]
        print(f"PostgreSQL, sink {sink_kind}, {opts.signups:,} sign-ups and an announcement to "
              f"{opts.signups:,} readers, default worker settings, {os.cpu_count()} CPUs")
        runs = []  # (workers, sign-ups/s, fan-out msg/s)
        for _ in range(opts.repeat):
            for workers in counts:
                requeue(app, mailing_id)
                run_workers(env, workers, 1)
                _, fan_out = sent_rate(app, mailing_id)

                forget_joiners(app)
                posting = post_signups(base, opts.signups)
                assert stored(app) == opts.signups, stored(app)
                with app.app_context():
                    from listserve.core.db import utcnow

                    launched = utcnow()
                wall, _, cpus = run_workers(env, workers, 1)
                sent, first, last = confirmations(app, launched)
                if sent != opts.signups or stored(app):
                    sys.exit(f"only {sent:,} confirmations sent, {stored(app):,} requests left")
                seconds = (last - launched).total_seconds()
                rate = sent / seconds
                forget_joiners(app)
                warm_seconds, warm_cpu = run_warm_workers(app, env, workers, base, opts.signups)
                warm = opts.signups / warm_seconds
                runs.append((workers, rate, fan_out, warm))
                print(f"{workers} worker(s): {opts.signups:,} POSTs stored in {posting:.1f} s "
                      f"({opts.signups / posting:,.0f}/s)")
                print(f"  workers launched when every row was stored (their start-up counted): "
                      f"carried out and confirmed in {seconds:.2f} s: {rate:,.0f} sign-ups/s "
                      f"(first to last confirmation {(last - first).total_seconds():.2f} s; "
                      f"worker CPU {sum(cpus) * 1e6 / sent:.0f} µs per sign-up); "
                      f"ratio {rate / fan_out:.2f}")
                print(f"  workers already running (let go when every row was stored): "
                      f"{warm_seconds:.2f} s: {warm:,.0f} sign-ups/s (worker CPU "
                      f"{warm_cpu * 1e6 / opts.signups:.0f} µs per sign-up); ratio "
                      f"{warm / fan_out:.2f}")
                print(f"  fan-out in the same round {fan_out:,.0f} msg/s")
        print()
        for workers in counts:
            mine = [(r, f, w) for n, r, f, w in runs if n == workers]
            cold = [r / f for r, f, _ in mine]
            warm = [w / f for _, f, w in mine]
            print(f"{workers} worker(s): fan-out {statistics.median(f for _, f, _ in mine):,.0f} "
                  f"msg/s; sign-ups with running workers "
                  f"{statistics.median(w for _, _, w in mine):,.0f}/s, "
                  f"{statistics.median(warm):.2f}× the fan-out (runs "
                  f"{', '.join(f'{x:.2f}' for x in warm)}); with the start-up counted "
                  f"{statistics.median(r for r, _, _ in mine):,.0f}/s, "
                  f"{statistics.median(cold):.2f}× (runs {', '.join(f'{x:.2f}' for x in cold)}); "
                  f"target >= 0.5")
        print("load average: " + " ".join(f"{v:.2f}" for v in os.getloadavg()))
    finally:
        if web is not None:
            web.stop()
        stop_sink()
        with create_app(settings).app_context():
            db.engine.dispose()
        drop()


if __name__ == "__main__":
    main()
