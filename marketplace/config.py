"""Settings from environment variables, with defaults that run out of the box."""
import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
INSTANCE = ROOT / "instance"


def _int(name, default):
    return int(os.environ.get(name, default))


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY", "dev-only-change-me")
    SQLALCHEMY_DATABASE_URI = os.environ.get(
        "DATABASE_URL", f"sqlite:///{INSTANCE / 'marketplace.db'}"
    )
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}  # pool_pre_ping and the PostgreSQL timeouts are added (create_app)
    DATABASE_CONNECT_TIMEOUT = _int("DATABASE_CONNECT_TIMEOUT", 5)  # seconds to open a connection
    DATABASE_POOL_TIMEOUT = _int("DATABASE_POOL_TIMEOUT", 10)  # seconds a request waits for a free one
    # Behind pgbouncer in transaction pooling (README, Deployment): no server-side prepared statements.
    DATABASE_PGBOUNCER = os.environ.get("DATABASE_PGBOUNCER", "0") not in ("0", "false", "False", "")
    SEARCH_INDEX_DIR = os.environ.get("SEARCH_INDEX_DIR", str(ROOT / "search_index"))
    UPLOAD_DIR = os.environ.get("UPLOAD_DIR", str(INSTANCE / "uploads"))
    UPLOAD_MAX_BYTES = _int("UPLOAD_MAX_BYTES", 10 * 1024 * 1024)  # per file; PDF/JPEG/PNG by content
    UPLOAD_QUOTA_BYTES = _int("UPLOAD_QUOTA_BYTES", 500 * 1024 * 1024)  # all files of one organisation
    # Where uploads, issued certificates and exports are kept (core/storage.py): "local" (UPLOAD_DIR) or
    # "s3" (an S3-compatible bucket shared by every host: S3_BUCKET, S3_ENDPOINT_URL, S3_REGION, keys,
    # S3_PREFIX, S3_ADDRESSING_STYLE "path" or "virtual", S3_TIMEOUT seconds).
    UPLOAD_BACKEND = os.environ.get("UPLOAD_BACKEND", "local")
    S3_BUCKET = os.environ.get("S3_BUCKET")
    S3_ENDPOINT_URL = os.environ.get("S3_ENDPOINT_URL") or None
    S3_REGION = os.environ.get("S3_REGION", "us-east-1")
    S3_ACCESS_KEY_ID = os.environ.get("S3_ACCESS_KEY_ID") or None
    S3_SECRET_ACCESS_KEY = os.environ.get("S3_SECRET_ACCESS_KEY") or None
    S3_PREFIX = os.environ.get("S3_PREFIX", "")
    S3_ADDRESSING_STYLE = os.environ.get("S3_ADDRESSING_STYLE", "path")
    S3_TIMEOUT = float(os.environ.get("S3_TIMEOUT", "5"))
    # Seconds a 503 (database, gateway or file store unreachable) tells clients to wait (Retry-After).
    RETRY_AFTER_SECONDS = _int("RETRY_AFTER_SECONDS", 10)
    STRIPE_API_BASE = os.environ.get("STRIPE_API_BASE", "http://127.0.0.1:8420")
    STRIPE_SECRET_KEY = os.environ.get("STRIPE_SECRET_KEY", "sk_test_localstripe")
    STRIPE_WEBHOOK_SECRET = os.environ.get("STRIPE_WEBHOOK_SECRET", "whsec_localstripe_dev")
    STRIPE_TIMEOUT = float(os.environ.get("STRIPE_TIMEOUT", "5"))
    # The key the browser's card form uses with the gateway's own script: card data goes to the gateway,
    # the platform sees only the card's id (localstripe accepts any pk_ key).
    STRIPE_PUBLISHABLE_KEY = os.environ.get("STRIPE_PUBLISHABLE_KEY", "pk_test_localstripe")
    # Where the browser loads the gateway's script (Stripe: https://js.stripe.com/v3/); by default the
    # script localstripe serves next to its API.
    STRIPE_JS_URL = os.environ.get("STRIPE_JS_URL") or None

    # Monthly bills (对账单) and the account organisations transfer to (对公转账).
    BILLING_DUE_DAYS = _int("BILLING_DUE_DAYS", 30)
    BILLING_ACCOUNT_NAME = os.environ.get("BILLING_ACCOUNT_NAME", "江苏省科技资源统筹服务中心")
    BILLING_ACCOUNT_NUMBER = os.environ.get("BILLING_ACCOUNT_NUMBER", "3201 0188 0000 0612 3456")
    BILLING_BANK_NAME = os.environ.get("BILLING_BANK_NAME", "中国银行南京鼓楼支行")
    BANK_STATEMENT_MAX_BYTES = _int("BANK_STATEMENT_MAX_BYTES", 5 * 1024 * 1024)
    # The supervised account (资金监管账户) technology-deal instalments are transferred to.
    DEAL_ESCROW_ACCOUNT_NAME = os.environ.get("DEAL_ESCROW_ACCOUNT_NAME", "江苏省技术产权交易市场资金监管专户")
    DEAL_ESCROW_ACCOUNT_NUMBER = os.environ.get("DEAL_ESCROW_ACCOUNT_NUMBER", "3201 0188 0000 0612 7788")
    DEAL_ESCROW_BANK_NAME = os.environ.get("DEAL_ESCROW_BANK_NAME", "中国银行南京鼓楼支行")

    MAIL_BACKEND = os.environ.get("MAIL_BACKEND", "log")  # "log" writes mails to the app log; "file": MAIL_FILE
    MAIL_FILE = os.environ.get("MAIL_FILE")  # the "file" backend's file (default instance/mail.log)
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "localhost")
    MAIL_PORT = _int("MAIL_PORT", 25)
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "noreply@jsst.example.cn")

    # Background jobs (marketplace/core/jobs.py). Unset: jobs run in this process right after the
    # commit. redis://HOST:PORT/DB: they go to an RQ queue that `flask --app marketplace worker` runs,
    # retried JOBS_RETRIES times after JOBS_RETRY_INTERVALS seconds; `… scheduler` enqueues the sweeps.
    JOBS_BROKER_URL = os.environ.get("JOBS_BROKER_URL") or None
    JOBS_QUEUE = os.environ.get("JOBS_QUEUE", "marketplace")
    JOBS_RETRIES = _int("JOBS_RETRIES", 3)
    JOBS_RETRY_INTERVALS = os.environ.get("JOBS_RETRY_INTERVALS", "10,60,300")
    JOBS_TIMEOUT = _int("JOBS_TIMEOUT", 600)  # seconds a job may run before the worker kills it
    # Seconds a process keeps an API token's user (accounts/token_cache.py): a revocation holds at once in
    # the process that made it, and in the others once this has passed. 0: looked up on every call.
    API_TOKEN_CACHE_SECONDS = float(os.environ.get("API_TOKEN_CACHE_SECONDS", "5"))
    # Seconds a process keeps a workbench queue's count, the menu badge (core/workbench.py); any write
    # this process commits drops them all. 0: counted on every page.
    WORKBENCH_COUNT_SECONDS = float(os.environ.get("WORKBENCH_COUNT_SECONDS", "10"))
    JOBS_BATCH = _int("JOBS_BATCH", 50)  # outbox jobs a worker runs per transaction (core.jobs_batch)
    # Seconds a drain waits, once the outbox is empty, for more jobs before it ends (0: it ends at once):
    # under a steady trickle of commits one drain then serves many of them, in batches.
    JOBS_DRAIN_LINGER = float(os.environ.get("JOBS_DRAIN_LINGER", "0.2"))
    # Readiness (/readyz): seconds to wait for the payment gateway's answer.
    READYZ_GATEWAY_TIMEOUT = float(os.environ.get("READYZ_GATEWAY_TIMEOUT", "1.5"))

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    WTF_CSRF_TIME_LIMIT = None
    MAX_CONTENT_LENGTH = 12 * 1024 * 1024

    BABEL_DEFAULT_LOCALE = "zh"
    BABEL_DEFAULT_TIMEZONE = "Asia/Shanghai"
    LANGUAGES = ["zh", "en"]
    DISPLAY_TIMEZONE = "Asia/Shanghai"

    # Certificates (core.pdffont): the Chinese font, "path" or "path:index" (else fontconfig finds
    # fonts-noto-cjk), and the issuing body's seal, a PNG printed under its name (none: no seal).
    PDF_FONT = os.environ.get("PDF_FONT") or None
    CERTIFICATE_SEAL = os.environ.get("CERTIFICATE_SEAL") or None

    PER_PAGE = 20
    MAX_PER_PAGE = 100
    # Accounts security (marketplace/accounts): failed logins per account (the e-mail, from any address)
    # and per address (any e-mails); mails sent from a typed address (registration, password reset).
    # Counters in memory unless RATELIMIT_STORAGE_URI is a shared store (redis://host:6379/0).
    RATELIMIT_ENABLED = os.environ.get("RATELIMIT_ENABLED", "1") not in ("0", "false", "False", "")
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_KEY_PREFIX = os.environ.get("RATELIMIT_KEY_PREFIX", "jsst")
    # A shared store that cannot be reached does not turn logins into errors: each process counts in
    # memory until it is back (Flask-Limiter's fallback), and the log says so.
    RATELIMIT_SWALLOW_ERRORS = True
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    LOGIN_LIMIT_PER_ACCOUNT = os.environ.get("LOGIN_LIMIT_PER_ACCOUNT", "10 per 15 minutes")
    LOGIN_LIMIT_PER_ADDRESS = os.environ.get("LOGIN_LIMIT_PER_ADDRESS", "30 per 15 minutes")
    # Public verification of contract registrations by number (page and API together), per address.
    REGISTRATION_VERIFY_LIMIT = os.environ.get("REGISTRATION_VERIFY_LIMIT", "30 per minute;300 per day")
    MAIL_LIMIT_PER_ACCOUNT = os.environ.get("MAIL_LIMIT_PER_ACCOUNT", "3 per hour")
    MAIL_LIMIT_PER_ADDRESS = os.environ.get("MAIL_LIMIT_PER_ADDRESS", "20 per hour")
    PASSWORD_MIN_LENGTH = 10  # and not in accounts/data/common_passwords.txt
    EMAIL_VERIFY_MAX_AGE = _int("EMAIL_VERIFY_MAX_AGE", 3 * 24 * 3600)  # seconds a verification link works
    PASSWORD_RESET_MAX_AGE = _int("PASSWORD_RESET_MAX_AGE", 3600)  # seconds a reset link works (once)

    # Booking defaults (DOMAIN.md); each instrument may override.
    BOOKING_LEAD_TIME_HOURS = 24
    BOOKING_HORIZON_DAYS = 60
    BOOKING_FREE_CANCEL_HOURS = 24
    BOOKING_LATE_CANCEL_FEE_PERCENT = 50
    BOOKING_NO_SHOW_MINUTES = 30
    BOOKING_OPENING_HOURS = "0-4 08:30-17:30"  # weekday 0 = Monday, Asia/Shanghai local time
    BOOKING_MIN_MINUTES = 30
    BOOKING_MAX_MINUTES = 480
    BOOKING_SLOT_MINUTES = 30  # start and end fall on this grid
    BOOKING_MAX_SAMPLES = 500
    BOOKING_CHECKIN_EARLY_MINUTES = 30  # check-in opens this long before the start
    BOOKING_OVERRUN_GRACE_MINUTES = 30  # usage may end this long after the booking; longer is an extension
    BOOKING_SAMPLE_MARGIN = 0  # samples beyond the booked count billed without the user's confirmation
    BOOKING_QUALIFICATION_YEARS = 2  # a qualification granted after training lasts this long
    BOOKING_QUALIFICATION_REMIND_DAYS = 30  # the renewal reminder goes this long before it ends
    BOOKING_ASSISTED_PERCENT = 150  # an assisted (staff-operated) session: percent of the hourly price
    BOOKING_CORRECTION_WORKING_DAYS = 3  # the lab may correct a no-show or a usage record this long after
    BOOKING_DOWNTIME_OPEN_DAYS = 14  # an incident with no expected end blocks the calendar this long, until fixed

    # Two-sided subsidy defaults for new programmes (DOMAIN.md); fen and basis points.
    SUBSIDY_DEFAULTS = {
        "rate_default_bp": 2000, "rate_sme_bp": 3000, "rate_sme_high_tech_bp": 4000,
        "booking_cap": 2_000_000, "org_year_cap": 20_000_000, "min_original_value": 30_000_000,
        "provider_rate_bp": 2000, "grade_a_bp": 10000, "grade_b_bp": 8000, "grade_c_bp": 5000,
        "grade_d_bp": 0, "ungraded": "D", "provider_unit_cap": 500_000_000,
        "exclude_internal": True, "exclude_related": True, "settlement_period": "quarter",
    }
    STRIPE_RETRIES = _int("STRIPE_RETRIES", 2)            # extra attempts on connection errors / 5xx
    STRIPE_WEBHOOK_TOLERANCE = _int("STRIPE_WEBHOOK_TOLERANCE", 300)  # seconds

    # The open catalogue (marketplace/federation): the CSTR registration agency's code (GB/T 32843)
    # of the hub's persistent identifiers; OAI-PMH's repository name and contact; page sizes of
    # OAI-PMH lists and of the DCAT catalogue; limits on what a partner's harvest may send us.
    CSTR_AGENCY = os.environ.get("CSTR_AGENCY", "32100")
    OAI_REPOSITORY_NAME = os.environ.get("OAI_REPOSITORY_NAME", "江苏省科技资源统筹服务平台")
    OAI_ADMIN_EMAIL = os.environ.get("OAI_ADMIN_EMAIL", "catalogue@jsst.example.cn")
    OAI_PAGE_SIZE = _int("OAI_PAGE_SIZE", 100)
    DCAT_PAGE_SIZE = _int("DCAT_PAGE_SIZE", 100)
    HARVEST_TIMEOUT = float(os.environ.get("HARVEST_TIMEOUT", "20"))         # seconds per request
    HARVEST_MAX_RESPONSE_BYTES = _int("HARVEST_MAX_RESPONSE_BYTES", 32 * 1024 * 1024)
    HARVEST_MAX_RECORD_BYTES = _int("HARVEST_MAX_RECORD_BYTES", 256 * 1024)  # larger records are skipped
    HARVEST_MAX_PAGES = _int("HARVEST_MAX_PAGES", 10_000)                    # per harvest, whatever tokens say

    TESTING = False
    AUTO_INDEX = True  # index search documents after each commit
    # Search (marketplace/search): seconds a writer waits for the index lock before queueing a retry;
    # indexes up to SEARCH_SYNC_REBUILD_LIMIT documents are rebuilt at once when missing/corrupt,
    # larger ones in the background; query and result-window limits.
    SEARCH_WRITE_TIMEOUT = float(os.environ.get("SEARCH_WRITE_TIMEOUT", "2"))
    SEARCH_REBUILD_LOCK_TIMEOUT = 120.0
    SEARCH_SYNC_REBUILD_LIMIT = _int("SEARCH_SYNC_REBUILD_LIMIT", 20_000)
    # `search rebuild` forks SEARCH_REBUILD_PROCS processes, each loading, cutting and indexing a share
    # of the documents; a process starts a new segment when its postings pass SEARCH_WRITER_LIMITMB of
    # memory (an estimate; one segment each at 100k resources). One process per core (at most 4):
    # more than the cores only adds contention and memory.
    SEARCH_REBUILD_PROCS = _int("SEARCH_REBUILD_PROCS", min(4, os.cpu_count() or 1))
    SEARCH_WRITER_LIMITMB = _int("SEARCH_WRITER_LIMITMB", 1024)
    SEARCH_MAX_QUERY_CHARS = 500
    SEARCH_MAX_SUGGEST_CHARS = 60
    SEARCH_MAX_WINDOW = 10_000
    # The durable index feed (search/feed.py): rows applied per Whoosh commit; seconds a hole in the
    # ids may wait for a late commit; how often an indexer reports its position; rows kept at most
    # (days) and how often `search follow` prunes; its polling interval. Web processes apply the
    # feed after their own commits unless SEARCH_APPLY_AFTER_COMMIT=0 (a separate follower does).
    SEARCH_FEED_BATCH = _int("SEARCH_FEED_BATCH", 500)
    SEARCH_FEED_GAP_SECONDS = float(os.environ.get("SEARCH_FEED_GAP_SECONDS", "60"))
    SEARCH_FEED_REPORT_SECONDS = float(os.environ.get("SEARCH_FEED_REPORT_SECONDS", "30"))
    SEARCH_FEED_RETENTION_DAYS = float(os.environ.get("SEARCH_FEED_RETENTION_DAYS", "7"))
    SEARCH_FEED_PRUNE_SECONDS = float(os.environ.get("SEARCH_FEED_PRUNE_SECONDS", "3600"))
    SEARCH_FEED_INTERVAL = float(os.environ.get("SEARCH_FEED_INTERVAL", "0.5"))
    SEARCH_FEED_READER = os.environ.get("SEARCH_FEED_READER")  # default: host name + index directory
    SEARCH_APPLY_AFTER_COMMIT = os.environ.get("SEARCH_APPLY_AFTER_COMMIT", "1") != "0"
    # Warm jieba and the searcher when a server starts (never in tests: each builds its own app).
    SEARCH_WARM_UP = os.environ.get("SEARCH_WARM_UP", "1") != "0"


def load(overrides: dict | None = None) -> dict:
    """Return the settings as a dict: class defaults, then `overrides`."""
    cfg = {k: getattr(Config, k) for k in dir(Config) if k.isupper()}
    cfg.update(overrides or {})
    return cfg
