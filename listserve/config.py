"""Defaults. Every key can be overridden by an environment variable LISTSERVE_<KEY>
(values are parsed as JSON when they can be, so LISTSERVE_MAIL_PORT=587 is an int)."""

import os
from datetime import timedelta

# None: a random key is made once and kept in instance/secret_key.
SECRET_KEY = None
BASE_URL = "http://127.0.0.1:8000"

# None means "SQLite in the instance folder" (set in create_app, where the folder is known).
SQLALCHEMY_DATABASE_URI = None
# No ping before every checkout (a round trip per request): connections are recycled before
# servers or firewalls usually drop idle ones, and a dead one fails one request at most.
SQLALCHEMY_ENGINE_OPTIONS = {"pool_recycle": 1800}

# The list everyone joins. Its address is <LIST_SLUG>@<LIST_DOMAIN>; every Message-ID, the
# List-Id and the VERP bounce addresses live on LIST_DOMAIN.
LIST_SLUG = "announcements"
LIST_NAME = "Network announcements"
LIST_DOMAIN = None  # defaults to BASE_URL's host
NETWORK_NAME = "Solidarity Economy Network"
# Languages offered (gettext catalogs in listserve/translations) and the one used when neither
# the reader nor their browser says.
LANGUAGES = ["en", "es"]
DEFAULT_LANGUAGE = "en"
CONSENT_TEXT = (
    "I would like to receive the network's announcements by email. "
    "I can leave at any time with one click."
)

# Outgoing mail (Flask-Mail). No MAIL_SERVER means: keep mail in the local mailbox
# (instance/mailbox), shown at /_mailbox in debug mode.
MAIL_SERVER = None
MAIL_PORT = 25
MAIL_USE_TLS = False
MAIL_USE_SSL = False
MAIL_USERNAME = None
MAIL_PASSWORD = None
MAIL_TIMEOUT = 30  # seconds, for connect and every SMTP command
MAIL_VERIFY_TLS = True
MAIL_DEFAULT_SENDER = None  # the list's own address when unset
MAILBOX_DIR = None  # defaults to instance/mailbox

MAIL_PIPELINING = True  # RFC 2920, when the server offers it
WORKER_BATCH_SIZE = 200  # copies claimed at once; one SMTP connection per batch
WORKER_RESULT_GROUP = 50  # results committed together: a crash re-sends at most these
WORKER_LEASE_SECONDS = 300  # a dead worker's batch is claimed again after this
WORKER_POLL_SECONDS = 2.0
WORKER_MAX_ATTEMPTS = 8  # then a copy that keeps getting 4xx replies is failed
WORKER_RETRY_BASE_SECONDS = 60  # backoff after a 4xx: 1, 2, 4 … minutes
WORKER_RETRY_MAX_SECONDS = 6 * 3600
WORKER_CONCURRENCY = 1  # SMTP connections per worker process
WORKER_MAX_RATE = 0  # messages per second per worker process; 0 = no cap
# PostgreSQL: wait for the disk on every result commit. Off, a database crash may forget
# the last moment of results (those copies are sent again); a worker crash never matters.
WORKER_SYNCHRONOUS_COMMIT = False
MAIL_LOCAL_HOSTNAME = None  # the EHLO name; default: this machine's FQDN, looked up once

# DKIM: sign every copy when a selector and a key file are set (DKIM_DOMAIN: LIST_DOMAIN).
# `listserve dkim keygen` makes a key and prints its DNS record; `listserve dkim check` checks.
DKIM_SELECTOR = None
DKIM_DOMAIN = None
DKIM_PRIVATE_KEY_PATH = None
# An Ed25519 key (RFC 8463) signs beside the RSA one (a second DKIM-Signature), on its own selector.
DKIM_ED25519_SELECTOR = None
DKIM_ED25519_PRIVATE_KEY_PATH = None
# Rotation: the selector signed with before the current one; its record stays published until
# the mail it signed has been read (a week or two), and `listserve dkim check` checks it is.
DKIM_PREVIOUS_SELECTOR = None

# Bounces (Mailman's scoring): a point a day at most, stale after a week, disabled at 5.
BOUNCE_SCORE_THRESHOLD = 5
BOUNCE_STALE_AFTER_DAYS = 7
REENABLE_MAX_AGE = int(timedelta(days=60).total_seconds())

# Inbound mail (`listserve inbound`): the largest message accepted, how much of a kept
# (held, unrouted, failed) message is stored, recipients per message, and how many help
# answers one sender gets a day (spam with a forged From must not make us a mail cannon).
INBOUND_MAX_BYTES = 10 * 1024 * 1024
INBOUND_KEEP_BYTES = 256 * 1024
INBOUND_MAX_RECIPIENTS = 20
INBOUND_HELP_PER_DAY = 3

# Subscribing.
CONFIRM_MAX_AGE = int(timedelta(days=3).total_seconds())
CONFIRM_RESEND_INTERVAL = int(timedelta(minutes=15).total_seconds())
ALREADY_SUBSCRIBED_NOTICE_INTERVAL = int(timedelta(days=1).total_seconds())
SUBSCRIBE_RATE_LIMIT = "20 per hour;5 per minute"

# Comments in the archive.
COMMENT_RATE_LIMIT = "30 per hour;5 per minute"  # per IP address, for posting comments
COMMENT_ADDRESS_HOURLY_LIMIT = 10  # comments from one email address in an hour
COMMENT_MAX_LENGTH = 5000  # characters of Markdown
COMMENT_VERIFY_RESEND_INTERVAL = int(timedelta(minutes=10).total_seconds())
VERIFIED_READER_DAYS = 30  # how long a browser is remembered after verifying an address

# Rate limiting. None: counted in instance/ratelimits.counts (a memory-mapped table), shared
# by every process of this machine (the web workers of one `listserve serve`). Set
# LISTSERVE_RATELIMIT_STORAGE_URI=redis://… when several machines serve the site, so they
# share one count; "memory://" counts in each process alone (tests).
RATELIMIT_STORAGE_URI = None
RATELIMIT_KEY_PREFIX = ""  # before every key: sites sharing one Redis keep their counts apart
RATELIMIT_ENABLED = True

# None: Secure exactly when BASE_URL is https (resolved in create_app), so a newcomer on
# http://127.0.0.1 still gets a working session and CSRF token.
SESSION_COOKIE_SECURE = None
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
REMEMBER_COOKIE_SECURE = None
REMEMBER_COOKIE_HTTPONLY = True
REMEMBER_COOKIE_SAMESITE = "Lax"
WTF_CSRF_TIME_LIMIT = None  # a form left open for hours must still submit

# Larger request bodies are refused with 413 before anything reads them.
MAX_CONTENT_LENGTH = 1024 * 1024

# Behind a reverse proxy: how many proxies to trust for X-Forwarded-* (0 = none).
PROXY_FIX = 0


def database_url_from_environment() -> str | None:
    """DATABASE_URL as platforms set it, mapped onto SQLAlchemy's psycopg 3 driver."""
    url = os.environ.get("DATABASE_URL")
    if not url:
        return None
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url

# The coordinating committee (listserve.committee). Times are shown in each member's own time
# zone; TIME_ZONE is the default for new members.
TIME_ZONE = "UTC"
LOGIN_RATE_LIMIT = "10 per minute;100 per hour"  # login POSTs per IP
LOGIN_MAX_FAILURES = 5  # failed passwords in a row before an account is locked for a while
LOGIN_LOCKOUT_SECONDS = int(timedelta(minutes=15).total_seconds())
PASSWORD_MIN_LENGTH = 12
INVITE_MAX_AGE = int(timedelta(days=7).total_seconds())
PASSWORD_RESET_MAX_AGE = int(timedelta(hours=1).total_seconds())
ARGON2_PARAMETERS = None  # None: argon2-cffi's defaults; else e.g. {"time_cost": 3, ...}

# Public pages (home, ecosystem, archive list, posts, feed) are rendered once and kept in each
# process's memory until their content changes (listserve.core.pagecache). A process looks at the
# content version at most this often, so an edit shows everywhere within this many seconds
# (at once on the process that made it). At most PAGE_CACHE_MEGABYTES per process (the least
# recently read pages go first); 0 turns the cache off.
PAGE_CACHE_CHECK_SECONDS = 1.0
PAGE_CACHE_MEGABYTES = 32

# Events on announcements: the reminder to those who answered "yes" goes this long before
# the start (queued by a worker round, once).
EVENT_REMINDER_BEFORE = 24 * 3600  # seconds
RSVP_RATE_LIMIT = "30 per hour;5 per minute"  # per IP address, for answering an event
# The API (/api/v1, listserve.api): calls per token, and webhooks. Webhook targets on private
# or loopback addresses are refused unless WEBHOOK_ALLOW_PRIVATE_TARGETS (SSRF).
API_RATE_LIMIT = "600 per minute;20000 per hour"
# Verified tokens are kept this many seconds in each process (0: never): a revocation made in
# another process (another gunicorn worker, the command line) takes effect within this delay;
# in the process that made it, at once.
API_TOKEN_CACHE_SECONDS = 2.0
WEBHOOK_ALLOW_PRIVATE_TARGETS = False
WEBHOOK_TIMEOUT_SECONDS = 10
WEBHOOK_MAX_ATTEMPTS = 8  # then the delivery is failed (shown on the page, can be sent again)
WEBHOOK_RETRY_BASE_SECONDS = 30  # backoff: 30 s, 1, 2, 4 … minutes
WEBHOOK_RETRY_MAX_SECONDS = 6 * 3600
