"""Delivery benchmark: one announcement to N subscribers, sent by K worker processes into a
local SMTP sink, next to the raw limit of a plain smtplib loop into the same sink.

    python bench/delivery.py --recipients 100000 --workers 1,2 [--dkim] [--digest] [--post]
                             [--languages en,es] [--database URL]

--dkim: the same sends again, DKIM-signed (rsa-sha256, 2048 bits), and the rate of bare
RSA-2048 signatures made by cryptography in this process, measured around them: signed ÷ bare
per worker says how near a signing worker comes to the cost of the signature alone.

Prints enqueue time, messages/s per run (from the first to the last sent_at, so process
start-up is not counted), peak RSS per worker process (VmHWM), the raw smtplib rate over one
connection with pre-built messages of the same size, and the ratios. With --digest, every
subscriber then switches to the list's digest and one digest each (a week of three posts) is
queued by the digest job and sent by one worker, its rate printed against the raw limit
measured around it with a digest of the same size. With no --database it
makes (and drops) a private PostgreSQL database when one answers on 127.0.0.1:5432, else
uses SQLite. The sink is Postfix's smtp-sink when installed, else an aiosmtpd counting sink
in its own process. With --post, the list is a discussion list and the mail sent is a
subscriber's post taken in as `listserve inbound` takes it (archived, threaded, From kept or
rewritten for DMARC), measured after the committee's announcement to the same readers, and
the two ratios to the raw limit are printed side by side. With --languages, the
subscribers' languages are spread evenly over those given (the site's default first) and, after
the single-language runs, the committee's announcement in all of them (the default version and
a translation into each other language, sent by announcements.sending.start_sending: one mailing
and one INSERT … SELECT per language) is queued and sent the same way: its enqueue time and its
ratio to the raw limit print next to the single-language one's.
"""

import argparse
import multiprocessing
import os
import shutil
import smtplib
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from listserve import create_app  # noqa: E402
from listserve.delivery.outbox import UNSUBSCRIBE_URL, enqueue_announcement  # noqa: E402
from listserve.extensions import db  # noqa: E402
from tests.support import private_database  # noqa: E402

PARAGRAPH = (
    "The network brings together cooperatives, mutual-aid groups and community land "
    "trusts from every region. This month we meet in three cities; the agenda, the travel "
    "fund and the childcare rota are on the website. Reply to the coordinating committee "
    "if you can host a session. "
)
TEXT = "Dear friends,\n\n" + "\n\n".join([PARAGRAPH * 2] * 6) + f"\n\nLeave: {UNSUBSCRIBE_URL}\n"
HTML = ("<html><body><h1>Network news</h1>" + "".join(f"<p>{PARAGRAPH * 2}</p>" for _ in range(6))
        + f'<p><a href="{UNSUBSCRIBE_URL}">Leave this list</a></p></body></html>')


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --- the database ---------------------------------------------------------------------------

def make_database(url: str | None) -> tuple[str, callable]:
    if url:
        return url, lambda: None
    try:
        return private_database("postgresql+psycopg://postgres@127.0.0.1:5432/postgres",
                                "listserve_bench")
    except sa.exc.OperationalError:
        path = Path(tempfile.mkdtemp()) / "bench.db"
        return f"sqlite:///{path}", lambda: shutil.rmtree(path.parent)


def seed(app, recipients: int, languages: list[str] | None = None) -> None:
    from listserve.core.lists import get_default_list
    from listserve.subscriptions.models import Subscriber, Subscription

    with app.app_context():
        list_id = get_default_list().id
        db.session.commit()
        for start in range(0, recipients, 20000):
            rows = [{"email": f"reader{n}@example.net", "email_key": f"reader{n}@example.net",
                     "name": f"Reader {n}", "created_at": _now()}
                    for n in range(start, min(recipients, start + 20000))]
            db.session.execute(sa.insert(Subscriber.__table__), rows)
        now = _now()
        db.session.execute(sa.insert(Subscription.__table__).from_select(
            ["subscriber_id", "list_id", "status", "created_at", "requested_at", "confirmed_at",
             "bounce_score"],
            sa.select(Subscriber.id, sa.literal(list_id), sa.literal("confirmed"),
                      sa.literal(now), sa.literal(now), sa.literal(now), sa.literal(0.0)),
        ))
        if languages:  # spread evenly: subscription n speaks languages[n % len]
            db.session.execute(sa.update(Subscription).values(language=sa.case(
                {n: code for n, code in enumerate(languages)},
                value=Subscription.id % len(languages),
            )))
        db.session.commit()


def _now():
    from listserve.core.db import utcnow

    return utcnow()


def enqueue(app, purpose: str) -> tuple[int, float]:
    from listserve.core.lists import get_default_list

    with app.app_context():
        started = time.perf_counter()
        mailing = enqueue_announcement(
            mailing_list=get_default_list(), purpose=purpose, subject="Network news: the "
            "spring gatherings", text_body=TEXT, html_body=HTML,
            reply_to="Coordinating committee <committee@example.org>",
            archived_at="https://network.example.org/archive/2026/spring-gatherings")
        db.session.commit()
        elapsed = time.perf_counter() - started
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.exec_driver_sql("VACUUM ANALYZE outbox")
        return mailing.id, elapsed


def enqueue_in_languages(app, languages: list[str]) -> tuple[list[int], float]:
    """The committee's announcement in every language: written (the default version, then a
    translation into each other one), then queued by start_sending as a send does, timed."""
    from listserve.announcements import services
    from listserve.announcements.sending import start_sending
    from listserve.delivery.control import announcement_mailings

    body = TEXT.replace(f"Leave: {UNSUBSCRIBE_URL}\n", "")
    with app.app_context():
        default = app.config["DEFAULT_LANGUAGE"]
        announcement = services.create_announcement(
            None, "Network news: the spring gatherings", body, via="bench")
        for code in languages:
            if code != default:
                services.save_translation(announcement, None, code,
                                          f"[{code}] Network news: the spring gatherings",
                                          f"[{code}] {body}")
        db.session.commit()
        started = time.perf_counter()
        start_sending(announcement, None, None, "bench")
        db.session.commit()
        elapsed = time.perf_counter() - started
        ids = [mailing.id for mailing in announcement_mailings(announcement.id)]
        db.session.rollback()
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.exec_driver_sql("VACUUM ANALYZE outbox")
        return ids, elapsed


def _ids(mailing_id) -> list[int]:
    return list(mailing_id) if isinstance(mailing_id, list | tuple) else [mailing_id]


def enqueue_post(app) -> tuple[int, float]:
    """A subscriber's post to the (now discussion) list, queued as the receiver queues it."""
    from email.message import EmailMessage
    from email.policy import SMTP

    from listserve.core.lists import get_default_list
    from listserve.inbound.distribute import distribute_post

    msg = EmailMessage(policy=SMTP)
    msg["From"] = "Ann Example <ann@example.net>"
    msg["To"] = "announcements@lists.example.org"
    msg["Subject"] = "Network news: the spring gatherings"
    msg["Message-ID"] = "<bench-post@example.net>"
    # Twice the announcement's text: a text-only copy as large as the announcement's text +
    # HTML one, so the two ratios to the raw limit (which rises as copies shrink) compare.
    msg.set_content(TEXT.replace(f"\n\nLeave: {UNSUBSCRIBE_URL}\n", "\n\n") + TEXT)
    with app.app_context():
        app.config["DMARC_RESOLVER"] = lambda name: []  # no DNS in a benchmark
        mailing_list = get_default_list()
        mailing_list.kind = "discussion"
        started = time.perf_counter()
        post = distribute_post(msg.as_bytes(), mailing_list)
        db.session.commit()
        elapsed = time.perf_counter() - started
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.exec_driver_sql("VACUUM ANALYZE outbox")
        return post.mailing_id, elapsed


def requeue(app, mailing_id: int) -> None:
    from listserve.delivery.models import OutboxEntry

    # As enqueued: without the Message-ID the worker makes and stores with each result, so
    # every repetition does (and writes) the same as the first.
    with app.app_context():
        db.session.execute(sa.update(OutboxEntry)
                           .where(OutboxEntry.mailing_id.in_(_ids(mailing_id)))
                           .values(status="queued", attempts=0, sent_at=None, claimed_by=None,
                                   claimed_until=None, last_reply=None, message_id=None,
                                   next_attempt_at=_now()))
        db.session.commit()
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.exec_driver_sql("VACUUM ANALYZE outbox")


def sent_rate(app, mailing_id: int) -> tuple[int, float]:
    from listserve.delivery.models import OutboxEntry

    with app.app_context():
        count, first, last = db.session.execute(
            sa.select(sa.func.count(), sa.func.min(OutboxEntry.sent_at),
                      sa.func.max(OutboxEntry.sent_at))
            .where(OutboxEntry.mailing_id.in_(_ids(mailing_id)), OutboxEntry.status == "sent")
        ).one()
        db.session.rollback()
    span = (last - first).total_seconds() if count > 1 else 0
    return count, (count - 1) / span if span else 0.0


# --- CPU time -------------------------------------------------------------------------------

def process_cpu(pid: int) -> float:
    """Seconds of CPU a live process has used (nanosecond accounting from schedstat)."""
    try:
        return int(Path(f"/proc/{pid}/schedstat").read_text().split()[0]) / 1e9
    except (OSError, ValueError, IndexError):
        return 0.0


class BackendMeter:
    """CPU time of the PostgreSQL backends serving one database, found by their process
    title ("postgres: … <database> …") and sampled four times a second from a thread that
    sleeps in between. A backend's last quarter second before it exits is not seen, so the
    figure is a slight underestimate."""

    def __init__(self, database: str | None):
        self.database = database
        self.seen: dict[int, float] = {}
        self.ignored: set[int] = set()
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self):
        if self.database:
            self._sample()
            self.start = dict(self.seen)
            self.thread.start()
        return self

    def __exit__(self, *exc):
        if self.database:
            self.done.set()
            self.thread.join()
            self._sample()

    @property
    def seconds(self) -> float:
        return sum(cpu - self.start.get(pid, 0.0) for pid, cpu in self.seen.items())

    def _run(self) -> None:
        while not self.done.wait(0.25):
            self._sample()

    def _sample(self) -> None:
        for name in os.listdir("/proc"):
            if not name.isdigit() or int(name) in self.ignored:
                continue
            pid = int(name)
            if pid not in self.seen:
                try:
                    title = Path(f"/proc/{pid}/cmdline").read_bytes()
                except OSError:
                    continue
                if not (title.startswith(b"postgres:")
                        and f" {self.database} ".encode() in title):
                    self.ignored.add(pid)
                    continue
            cpu = process_cpu(pid)
            if cpu:
                self.seen[pid] = cpu


# --- the sink -------------------------------------------------------------------------------

def _aiosmtpd_sink(port: int) -> None:
    from aiosmtpd.controller import Controller

    class Count:
        async def handle_DATA(self, server, session, envelope):
            return "250 OK"

    Controller(Count(), hostname="127.0.0.1", port=port).start()
    while True:
        time.sleep(3600)


def start_sink() -> tuple[int, str, int, callable]:
    port = free_port()
    binary = shutil.which("smtp-sink") or ("/usr/sbin/smtp-sink"
                                           if Path("/usr/sbin/smtp-sink").exists() else None)
    if binary:
        user = ["-u", "nobody"] if os.geteuid() == 0 else []
        proc = subprocess.Popen([binary, *user, f"127.0.0.1:{port}", "256"])
        kind = "Postfix smtp-sink"
        stop = proc.terminate
    else:
        proc = multiprocessing.Process(target=_aiosmtpd_sink, args=(port,), daemon=True)
        proc.start()
        kind = "aiosmtpd (own process)"
        stop = proc.terminate
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.05)
    return port, kind, proc.pid, stop


def raw_limit(port: int, sample: bytes, seconds: float = 4.0) -> float:
    """A plain smtplib loop sending one pre-built message over one connection."""
    smtp = smtplib.SMTP("127.0.0.1", port, timeout=30)
    sent, started = 0, time.perf_counter()
    while time.perf_counter() - started < seconds:
        for _ in range(200):
            smtp.sendmail("bounces@lists.example.org", [f"r{sent}@example.net"], sample)
            sent += 1
    elapsed = time.perf_counter() - started
    smtp.quit()
    return sent / elapsed


def sample_copy(app, mailing_id: int) -> bytes:
    from listserve.delivery.batch import CopyMaker
    from listserve.delivery.compose import Copy

    with app.app_context():
        maker = CopyMaker()
        maker.load({mailing_id})
        copy = Copy(1, mailing_id, 1, "reader1@example.net", "Reader 1", None, 0)
        data = maker.templates[mailing_id].personalise(copy, "WzFd.token", maker.key)
        db.session.rollback()
        return data


# --- the workers ----------------------------------------------------------------------------

def peak_rss_mb(pid: int) -> float:
    """The high-water mark of a live process's resident memory (VmHWM), in MB."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except (OSError, ValueError):
        pass
    return 0.0


def run_workers(env: dict, workers: int, concurrency: int, seconds: float | None = None):
    """Start the worker processes; return (wall seconds, peak RSS MB of each, CPU seconds
    of each).

    Peak RSS is VmHWM read every 0.2 s while a worker runs, not wait4's ru_maxrss: Linux
    keeps the high-water mark of the image a child had before exec, and a child forked from
    this process starts as a copy of it (which grows with the recipients it seeded)."""
    args = [sys.executable, "-m", "listserve", "worker", "--concurrency", str(concurrency)]
    if seconds is None:
        args.append("--burst")
    started = time.perf_counter()
    procs = [subprocess.Popen(args, cwd=ROOT, env=env, stdout=subprocess.DEVNULL)
             for _ in range(workers)]
    peaks = [0.0] * workers
    done = threading.Event()

    def watch() -> None:
        while not done.wait(0.2):
            for index, proc in enumerate(procs):
                peaks[index] = max(peaks[index], peak_rss_mb(proc.pid))

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    if seconds is not None:
        time.sleep(seconds)
        for proc in procs:
            proc.terminate()
    cpus = []
    for proc in procs:
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            raise SystemExit(f"worker exited with {proc.returncode}")
        cpus.append(usage.ru_utime + usage.ru_stime)
    done.set()
    watcher.join()
    return time.perf_counter() - started, peaks, cpus


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recipients", type=int, default=10000)
    parser.add_argument("--workers", default="1,2", help="worker counts to run, e.g. 1,2,4")
    parser.add_argument("--concurrency", type=int, default=1, help="connections per worker")
    parser.add_argument("--batch-size", type=int, default=500)
    parser.add_argument("--group", type=int, default=100, help="results committed at once")
    parser.add_argument("--no-pipelining", action="store_true")
    parser.add_argument("--repeat", type=int, default=3, help="runs per worker count")
    parser.add_argument("--dkim", action="store_true", help="also measure the signed rate")
    parser.add_argument("--digest", action="store_true",
                        help="then a digest run: every subscriber reads a digest")
    parser.add_argument("--post", action="store_true",
                        help="send a subscriber's post to a discussion list, not an announcement")
    parser.add_argument("--languages",
                        help="then the announcement in these languages, e.g. en,es: "
                        "subscribers spread evenly over them")
    parser.add_argument("--database", help="SQLAlchemy URL (default: private PG database)")
    opts = parser.parse_args()

    url, drop = make_database(opts.database)
    port, sink_kind, sink_pid, stop_sink = start_sink()
    tmp = Path(tempfile.mkdtemp())
    settings = {
        "SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "BASE_URL": "https://network.example.org",
        "LIST_DOMAIN": "lists.example.org", "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": port,
        "MAILBOX_DIR": str(tmp / "mailbox"), "WORKER_BATCH_SIZE": opts.batch_size,
        "WORKER_RESULT_GROUP": opts.group, "MAIL_PIPELINING": not opts.no_pipelining,
    }
    env = {**os.environ, **{f"LISTSERVE_{k}": str(v) for k, v in settings.items()}}
    env["LISTSERVE_MAIL_PIPELINING"] = "true" if settings["MAIL_PIPELINING"] else "false"
    try:
        app = create_app(settings)
        with app.app_context():
            from flask_migrate import upgrade

            upgrade(directory=app.extensions["migrate"].directory)
            engine = db.engine.dialect.name
        languages = [code.strip() for code in (opts.languages or "").split(",") if code.strip()]
        if languages:
            offered = app.config["LANGUAGES"]
            if languages[0] != app.config["DEFAULT_LANGUAGE"] or not set(languages) <= set(
                    offered):
                raise SystemExit(f"--languages: the site's default first, then any of "
                                 f"{', '.join(offered)}")
        seed(app, opts.recipients, languages)
        # What a worker costs to start, find nothing due and exit: taken off each run's
        # worker CPU so that the per-copy figure is what sending costs.
        startup = min(run_workers(env, 1, opts.concurrency)[2][0] for _ in range(3))
        backend_db = sa.make_url(url).database if engine == "postgresql" else None
        own_before = time.process_time()
        with BackendMeter(backend_db) as backends:
            mailing_id, enqueue_seconds = enqueue(app, "announcement:bench")
        enqueue_cpu = (time.process_time() - own_before, backends.seconds)
        sample = sample_copy(app, mailing_id)
        print(f"database {engine}, sink {sink_kind}, {opts.recipients:,} recipients, "
              f"copy {len(sample):,} bytes, batch {opts.batch_size}, group {opts.group}, "
              f"pipelining {'off' if opts.no_pipelining else 'on'}")
        print(f"enqueue (one INSERT … SELECT): {enqueue_seconds:.2f} s"
              + _cpu_note(enqueue_cpu, backend_db))
        print(f"worker start-up and exit with nothing due: {startup * 1000:.0f} ms CPU "
              "(taken off each worker's CPU below)")
        label = "announcement: " if opts.post else ""
        runs = measure(app, env, mailing_id, port, sink_pid, sample, opts, backend_db, startup,
                       label=label)
        if runs:
            report(runs, opts.concurrency, label)
        if opts.post:  # the post next to the announcement just measured, in the same run
            measure_post(app, env, (port, sink_pid, backend_db, startup), opts, runs)
        if languages:
            measure_languages(app, env, languages, (port, sink_pid, sample, backend_db, startup),
                              opts, runs, (enqueue_seconds, enqueue_cpu))
        if opts.dkim:
            measure_dkim(app, env, mailing_id, tmp, opts, (port, sink_pid, sample, backend_db,
                                                            startup), runs)
        if opts.digest:
            measure_digest(app, env, port, opts.concurrency)
        print("load average: " + " ".join(f"{v:.2f}" for v in os.getloadavg()))
    finally:
        stop_sink()
        with create_app(settings).app_context():
            db.engine.dispose()
        drop()


def measure_post(app, env, sink, opts, announcement_runs) -> None:
    """A subscriber's post to the same readers, measured as the announcement was; its ratio
    to the raw limit printed next to the announcement's (issue 24: the same ratio)."""
    port, sink_pid, backend_db, startup = sink
    mailing_id, enqueue_seconds = enqueue_post(app)
    sample = sample_copy(app, mailing_id)
    print(f"post: copy {len(sample):,} bytes; archived, threaded and queued in "
          f"{enqueue_seconds:.2f} s")
    runs = measure(app, env, mailing_id, port, sink_pid, sample, opts, backend_db, startup,
                   label="post: ")
    if not (runs and announcement_runs):
        return
    report(runs, opts.concurrency, "post: ")
    post = statistics.median(first_ratios(runs, opts.concurrency))
    announcement = statistics.median(first_ratios(announcement_runs, opts.concurrency))
    print(f"post vs announcement (median ratios to the raw limit, same run): {post:.2f} / "
          f"{announcement:.2f} = {post / announcement:.2f}x")


def measure(app, env, mailing_id, port, sink_pid, sample, opts, backend_db, startup,
            label="", cpu_out=None):
    """Each worker count, opts.repeat times: rate, raw limit around it, CPU per copy."""
    runs = []  # (workers, rate, raw around it, peaks)
    for _ in range(opts.repeat):
        for workers in [int(w) for w in opts.workers.split(",")]:
            raw_before = raw_limit(port, sample)
            requeue(app, mailing_id)
            sink_before = process_cpu(sink_pid)
            own_before = time.process_time()
            with BackendMeter(backend_db) as backends:
                wall, peaks, cpus = run_workers(env, workers, opts.concurrency)
            own_cpu = time.process_time() - own_before
            sink_cpu = process_cpu(sink_pid) - sink_before
            count, rate = sent_rate(app, mailing_id)
            raw = (raw_before + raw_limit(port, sample)) / 2
            runs.append((workers, rate, raw, peaks))
            per = 1e6 / max(count, 1)
            worker_cpu = sum(cpus) - startup * workers
            if cpu_out is not None:
                cpu_out.setdefault(workers, []).append(worker_cpu * per)
            print(f"{label}{workers} worker(s) × {opts.concurrency} connection(s): {count:,} "
                  f"sent, {rate:,.0f} msg/s (wall {wall:.1f} s incl. start-up); raw limit "
                  f"around it {raw:,.0f} msg/s; peak RSS per worker "
                  + ", ".join(f"{p:.0f} MB" for p in peaks))
            print(f"  CPU per copy: workers {worker_cpu * per:.0f} µs, "
                  + (f"PostgreSQL backends {backends.seconds * per:.0f} µs, "
                     if backend_db else "")
                  + f"sink {sink_cpu * per:.0f} µs; this process meanwhile "
                  f"{own_cpu * 1000:.0f} ms CPU in all")
    return runs


def measure_languages(app, env, languages, setting, opts, single_runs, single_enqueue) -> None:
    """The announcement in several languages, queued and sent as above; its ratio to the raw
    limit next to the single-language runs' (same machine, same invocation)."""
    port, sink_pid, _, backend_db, startup = setting
    own_before = time.process_time()
    with BackendMeter(backend_db) as backends:
        mailing_ids, seconds = enqueue_in_languages(app, languages)
    cpu = (time.process_time() - own_before, backends.seconds)
    sample = sample_copy(app, mailing_ids[0])
    print(f"in {len(languages)} languages ({', '.join(languages)}): enqueue by start_sending "
          f"({len(mailing_ids)} mailings, one INSERT … SELECT each, with rendering and "
          f"archiving): {seconds:.2f} s{_cpu_note(cpu, backend_db)}; single language "
          f"{single_enqueue[0]:.2f} s{_cpu_note(single_enqueue[1], backend_db)}")
    runs = measure(app, env, mailing_ids, port, sink_pid, sample, opts, backend_db, startup,
                   label=f"{'+'.join(languages)}: ")
    if not runs or not single_runs:
        return
    first = min(w for w, *_ in runs)

    def ratio(found):
        return statistics.median(rate / (w * opts.concurrency) / raw
                                 for w, rate, raw, _ in found if w == first)

    one, several = ratio(single_runs), ratio(runs)
    print(f"per connection vs raw, {first} worker(s): single language {one:.2f}, "
          f"{len(languages)} languages {several:.2f} ({several / one:.2f}x)")


def _cpu_note(cpu: tuple[float, float], backend_db: str | None) -> str:
    """CPU seconds of this process (and of the PostgreSQL backends): what a loaded machine's
    wall time hides."""
    own, backends = cpu
    return (f" (CPU: this process {own:.2f} s"
            + (f", PostgreSQL backends {backends:.2f} s" if backend_db else "") + ")")


def first_ratios(runs, concurrency: int) -> list[float]:
    """Each run of the fewest workers: rate per connection ÷ the raw limit measured around it."""
    first = min(w for w, *_ in runs)
    return [rate / (w * concurrency) / raw for w, rate, raw, _ in runs if w == first]


def report(runs, concurrency: int, label: str = "") -> None:
    """Medians over the repetitions: the machine is shared, single runs are noisy."""
    counts = sorted({w for w, *_ in runs})
    median = {w: statistics.median(r for v, r, *_ in runs if v == w) for w in counts}
    first = counts[0]
    ratios = first_ratios(runs, concurrency)
    raws = [raw for *_, raw, _ in runs]
    print(f"{label}raw limit (smtplib loop, pre-built bytes, one connection): median "
          f"{statistics.median(raws):,.0f} msg/s (range {min(raws):,.0f}–{max(raws):,.0f})")
    print(f"{label}per connection vs raw (each run against the raw limit measured around it): "
          f"median {statistics.median(ratios):.2f} (runs: "
          + ", ".join(f"{r:.2f}" for r in ratios) + ")")
    for workers in counts[1:]:
        print(f"scaling {first} -> {workers} workers (median rates {median[first]:,.0f} -> "
              f"{median[workers]:,.0f} msg/s): {median[workers] / median[first]:.2f}x")
    print(f"peak RSS per worker: max {max(max(p) for *_, p in runs):.0f} MB")


def measure_digest(app, env, port: int, concurrency: int) -> None:
    """Every subscriber takes the digest; three posts last week; the digest job queues one
    digest each (one INSERT … SELECT), one worker sends them."""
    from datetime import timedelta

    from listserve.archive.services import post_url, publish_post
    from listserve.core.lists import get_default_list
    from listserve.delivery.models import OutboxEntry
    from listserve.subscriptions.digests import period_before, queue_digests
    from listserve.subscriptions.models import DigestRun, Subscription

    with app.app_context():
        mailing_list = get_default_list()
        now = _now()
        start, _ = period_before(mailing_list.digest_schedule, now)
        # The workers above already closed last week (their round job found no posts then),
        # and copies of the announcement left queued (--repeat 0) would share the worker.
        db.session.execute(sa.delete(DigestRun))
        db.session.execute(sa.delete(OutboxEntry).where(OutboxEntry.status == "queued"))
        db.session.execute(sa.update(Subscription).values(
            delivery_mode="digest", confirmed_at=start - timedelta(days=1)))
        for n in range(3):
            post = publish_post(subject=f"Network news {n + 1}", body_markdown=TEXT,
                                body_html=HTML, published_at=start + timedelta(days=n, hours=9),
                                list_id=mailing_list.id)
            # Copies to each-message readers: none, everyone reads the digest.
            post.mailing_id = enqueue_announcement(
                mailing_list=mailing_list, purpose=f"announcement:digest-bench-{n}",
                subject=post.subject, text_body=TEXT, html_body=HTML,
                archived_at=post_url(post)).id
        db.session.commit()
        started = time.perf_counter()
        queue_digests(now)
        queued = time.perf_counter() - started
        mailing_id = db.session.scalar(sa.select(DigestRun.mailing_id))
        db.session.rollback()
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.exec_driver_sql("VACUUM ANALYZE outbox")
    sample = sample_copy(app, mailing_id)
    raw_before = raw_limit(port, sample)
    wall, peaks, _ = run_workers(env, 1, concurrency)
    count, rate = sent_rate(app, mailing_id)
    raw = (raw_before + raw_limit(port, sample)) / 2
    print(f"digest run: digest job queued {count:,} digests in {queued:.2f} s; digest "
          f"{len(sample):,} bytes; 1 worker × {concurrency} connection(s): {rate:,.0f} msg/s "
          f"(wall {wall:.1f} s); raw limit around it {raw:,.0f} msg/s; "
          f"ratio {rate / concurrency / raw:.2f} (target >= 0.8); peak RSS {peaks[0]:.0f} MB")


def bare_rsa_rate(key, seconds: float = 3.0) -> tuple[float, float]:
    """RSA-2048 PKCS#1 v1.5 signatures of a SHA-256 digest by cryptography (OpenSSL) in this
    process: (per second of wall time, per second of this process's CPU time). The second
    holds better on a shared machine: it does not count the time others had the core."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding, utils

    digest, prehashed = bytes(32), utils.Prehashed(hashes.SHA256())
    made, started, cpu = 0, time.perf_counter(), time.process_time()
    while time.perf_counter() - started < seconds:
        for _ in range(50):
            key.sign(digest, padding.PKCS1v15(), prehashed)
        made += 50
    return made / (time.perf_counter() - started), made / (time.process_time() - cpu)


def sign_cost(app, mailing_id: int, key, rounds: int = 9, copies: int = 200):
    """CPU µs per copy in this process, in interleaved rounds (medians): a bare signature,
    CopyMaker.make unsigned, and signed (what the worker does to compose a copy)."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding, utils

    from listserve.delivery.batch import CopyMaker
    from listserve.delivery.compose import Copy
    from listserve.delivery.dkim_sign import DkimKey, DkimSigner
    from listserve.delivery.signing import SIGNED_HEADERS

    signer = DkimSigner([DkimKey("bench", "lists.example.org", key)], SIGNED_HEADERS)
    digest, prehashed = bytes(32), utils.Prehashed(hashes.SHA256())
    batch = [Copy(n, mailing_id, n, f"reader{n}@example.net", f"Reader {n}", None, 0)
             for n in range(1, copies + 1)]
    costs = {"bare": [], "unsigned": [], "signed": []}
    with app.app_context():
        maker = CopyMaker()
        maker.load({mailing_id})
        db.session.rollback()
        for _ in range(rounds):
            started = time.process_time()
            for _ in batch:
                key.sign(digest, padding.PKCS1v15(), prehashed)
            costs["bare"].append(time.process_time() - started)
            for name, chosen in (("unsigned", None), ("signed", signer)):
                maker.signer = chosen
                started = time.process_time()
                for copy in batch:
                    maker.make(copy)
                costs[name].append(time.process_time() - started)
    return {name: statistics.median(v) * 1e6 / copies for name, v in costs.items()}


def measure_dkim(app, env, mailing_id: int, tmp: Path, opts, setting, unsigned_runs) -> None:
    """The same sends signed (rsa-sha256, 2048 bits), next to bare signatures made here."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    path = tmp / "dkim.pem"
    path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                       serialization.PrivateFormat.TraditionalOpenSSL,
                                       serialization.NoEncryption()))
    signed_env = {**env, "LISTSERVE_DKIM_SELECTOR": "bench",
                  "LISTSERVE_DKIM_PRIVATE_KEY_PATH": str(path)}
    cost = sign_cost(app, mailing_id, key)
    print(f"DKIM, composing one copy in this process (CPU, medians of interleaved rounds): "
          f"bare RSA-2048 signature {cost['bare']:.0f} µs; copy unsigned {cost['unsigned']:.0f} "
          f"µs, signed {cost['signed']:.0f} µs: signer beyond the bare signature "
          f"{cost['signed'] - cost['unsigned'] - cost['bare']:.0f} µs; bare ÷ signed copy "
          f"{cost['bare'] / cost['signed']:.2f}")
    port, sink_pid, sample, backend_db, _ = setting
    # A signing worker's start-up includes loading its key, which OpenSSL checks (primality
    # of p and q): tens of ms, as many as 60 signatures. Taken off like the unsigned start-up,
    # so that the per-copy figures compare sending with sending.
    # (Measured once the unsigned runs have sent every copy: nothing is due.)
    startup = min(run_workers(signed_env, 1, opts.concurrency)[2][0]
                  for _ in range(3)) if opts.repeat else 0.0
    print(f"signing worker start-up and exit with nothing due: {startup * 1000:.0f} ms CPU "
          "(taken off each signing worker's CPU below)")
    bares, signed_cpu = [bare_rsa_rate(key)], {}
    runs = []
    for _ in range(opts.repeat):  # bare rates between the rounds: the machine's speed moves
        for workers in [int(w) for w in opts.workers.split(",")]:
            one = opts.__class__(**{**vars(opts), "repeat": 1, "workers": str(workers)})
            runs += measure(app, signed_env, mailing_id, port, sink_pid, sample, one,
                            backend_db, startup, label="signed: ", cpu_out=signed_cpu)
            bares.append(bare_rsa_rate(key))
    bare_wall = statistics.median(b[0] for b in bares)
    bare_cpu = statistics.median(b[1] for b in bares)
    counts = sorted({w for w, *_ in runs})
    median = {w: statistics.median(r for v, r, *_ in runs if v == w) for w in counts}
    unsigned = {w: statistics.median(r for v, r, *_ in unsigned_runs if v == w) for w in counts}
    print(f"bare RSA-2048 signatures by cryptography, one process (medians of {len(bares)} "
          f"measurements between the runs): {bare_wall:,.0f}/s of wall time (range "
          f"{min(b[0] for b in bares):,.0f}–{max(b[0] for b in bares):,.0f}), "
          f"{bare_cpu:,.0f}/s of CPU time")
    for workers in counts:
        per_worker = median[workers] / workers
        cpu_rate = 1e6 / statistics.median(signed_cpu[workers])
        print(f"signed, {workers} worker(s): median {median[workers]:,.0f} msg/s = "
              f"{per_worker:,.0f} per worker, signed ÷ bare {per_worker / bare_wall:.2f}; per "
              f"worker CPU second {cpu_rate:,.0f} copies, ÷ bare per CPU second "
              f"{cpu_rate / bare_cpu:.2f}; unsigned in this run {unsigned[workers]:,.0f} msg/s")
    first = counts[0]
    for workers in counts[1:]:
        print(f"signed scaling {first} -> {workers} workers: "
              f"{median[workers] / median[first]:.2f}x")


if __name__ == "__main__":
    main()
