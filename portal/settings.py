"""Settings for the disclosure portal: one module, differences only through environment variables.

See portal/env.py for how each variable is read and README.md for the list.
"""

import os
from datetime import timedelta
from pathlib import Path

import csp.constants as csp
from django.utils.translation import gettext_lazy as _

from portal import env

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env.string("PORTAL_VAR_DIR") or str(BASE_DIR / "var"))  # empty counts as unset

PORTAL_ENV = env.environment()
PRODUCTION = PORTAL_ENV == "production"

SECRET_KEY = env.secret_key(VAR_DIR)
DEBUG = env.boolean("DEBUG", False)
if PRODUCTION and DEBUG:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("生产环境不得开启 DEBUG。")

ALLOWED_HOSTS = (
    env.word_list("ALLOWED_HOSTS", [])
    if PRODUCTION
    else env.word_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
)
if PRODUCTION and not ALLOWED_HOSTS:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("生产环境必须设置环境变量 ALLOWED_HOSTS（以逗号分隔的域名）。")
CSRF_TRUSTED_ORIGINS = env.word_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "portal.apps.PortalAdminConfig",  # django.contrib.admin with portal/admin_site.py
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "mptt",
    "django_filters",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "catalog",
    "disclosure",
    "portal",
    "csp",
    # The body editor's ProseMirror/Tiptap files, served from the wheel (disclosure/core/editor.py).
    "django_prose_editor",
]

MIDDLEWARE = [
    # Anonymous public pages from the shared page cache, first of all (portal/pagecache.py): a hit skips every
    # other middleware. A stored page keeps the headers the middlewares below wrote on it (security
    # headers, CSP, Permissions-Policy, X-Frame-Options), so a hit carries exactly those of a render.
    "portal.pagecache.PageCacheMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Content-Security-Policy and Permissions-Policy on every response, static files and error pages too.
    "csp.middleware.CSPMiddleware",
    "portal.headers.PermissionsPolicyMiddleware",
    # Static files, with the headers above and nothing below (no routing, no sessions).
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # 400 for a control character (NUL above all: PostgreSQL cannot compare it) in the path or query.
    "portal.middleware.RejectControlCharactersMiddleware",
    # Which database this request reads (anonymous public reads: the replica, when one is configured).
    "portal.dbrouter.ReadRoutingMiddleware",
    # Anonymous public reads on PostgreSQL: PUBLIC_STATEMENT_TIMEOUT_MS per statement, a Chinese 503 past it.
    "portal.timeouts.StatementTimeoutMiddleware",
    # Full-text searches (not page cache hits): at most SEARCH_CONCURRENCY at once per host, the others
    # wait up to SEARCH_QUEUE_SECONDS, then a Chinese 503 (portal/bulkhead.py).
    "portal.bulkhead.SearchBulkheadMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Staff accounts: idle and absolute session limits, then the second factor and password expiry.
    "disclosure.core.sessions.SessionLimitMiddleware",
    "disclosure.core.twofactor.StaffGateMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: turns a refused sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.context_processors.site",
            ],
        },
    },
]

DATABASES = {"default": env.database(VAR_DIR)}
# A PostgreSQL streaming replica for anonymous public reads (portal/dbrouter.py); unset: one database.
if (_replica := env.replica_database()) is not None:
    DATABASES["replica"] = _replica
    DATABASE_ROUTERS = ["portal.dbrouter.ReplicaRouter"]
DATABASE_REPLICA_MAX_LAG = env.integer("DATABASE_REPLICA_MAX_LAG", 10, minimum=0)
# Longest time one SQL statement of an anonymous public request may run on PostgreSQL (portal/timeouts.py);
# 0: no limit.
PUBLIC_STATEMENT_TIMEOUT_MS = env.integer("PUBLIC_STATEMENT_TIMEOUT_MS", 3000, minimum=0)
# Full-text searches running at once on this host (portal/bulkhead.py; 0: no limit), by default half the
# cores, so that the other pages keep the rest; a search waits up to SEARCH_QUEUE_SECONDS for its turn.
SEARCH_CONCURRENCY = env.integer("SEARCH_CONCURRENCY", max(1, (os.cpu_count() or 2) // 2), minimum=0)
SEARCH_QUEUE_SECONDS = env.integer("SEARCH_QUEUE_SECONDS", 10, minimum=0)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Staff accounts (README, "Staff accounts"): the 等保 password policy, optional expiry (0 = off).
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "disclosure.core.passwords.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "disclosure.core.passwords.CharacterClassValidator", "OPTIONS": {"min_classes": 3}},
    {"NAME": "disclosure.core.passwords.PasswordAgeRecorder"},
]
PASSWORD_MAX_AGE_DAYS = env.integer("PASSWORD_MAX_AGE_DAYS", 0)
# Login lockout (django-axes, database handler: one count for every worker and host). After
# LOGIN_FAILURE_LIMIT failures the account (from any address) and the address (for any account) are
# both locked for LOGIN_COOLOFF_MINUTES; disclosure/core/accounts.py has the backend and the page.
AUTHENTICATION_BACKENDS = [
    "disclosure.core.accounts.LockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_FAILURE_LIMIT = env.integer("LOGIN_FAILURE_LIMIT", 20, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env.integer("LOGIN_COOLOFF_MINUTES", 30, minimum=1))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "disclosure.core.accounts.lockout_address"
AXES_LOCKOUT_CALLABLE = "disclosure.core.accounts.lockout_response"
AXES_COOLOFF_MESSAGE = _("登录失败次数过多，账号或地址已被暂时锁定，请稍后再试。")
AXES_PERMALOCK_MESSAGE = _("登录失败次数过多，账号或地址已被锁定，请联系系统管理员解锁。")
AXES_ENABLE_ADMIN = False  # unlock with `manage.py axes_reset_username NAME` or `axes_reset_ip ADDRESS`
AXES_VERBOSE = False
# Second factor (TOTP, django-otp) for every staff sign-in: on by default in production only.
PORTAL_REQUIRE_2FA = env.boolean("PORTAL_REQUIRE_2FA", PRODUCTION)
OTP_TOTP_ISSUER = env.string("PORTAL_SITE_NAME", "住房城乡建设领域政务公开平台")
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
# Sessions: an idle timeout and an absolute limit (disclosure/core/sessions.py).
SESSION_IDLE_MINUTES = env.integer("SESSION_IDLE_MINUTES", 30, minimum=1)
SESSION_MAX_HOURS = env.integer("SESSION_MAX_HOURS", 12, minimum=1)
SESSION_COOKIE_AGE = SESSION_MAX_HOURS * 3600

# One language (README, "Language and translations"): our strings are written in Chinese and need no
# catalog; Django's own strings come from its zh_Hans translations, and locale/ adds those they lack.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文"))]
TIME_ZONE = env.string("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "locale"]

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
if not PRODUCTION:
    # Outside production static files come straight from the finders; no collectstatic needed.
    WHITENOISE_USE_FINDERS = True
    WHITENOISE_AUTOREFRESH = DEBUG
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STORAGES = {
    # Local files under MEDIA_ROOT, or a shared S3-compatible bucket for several hosts (MEDIA_STORAGE).
    "default": env.media_storage(),
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Attachments live outside any URL space: they are only ever served through the download view,
# which applies the public rule (see disclosure/views). MEDIA_URL is deliberately not routed.
MEDIA_ROOT = Path(env.string("MEDIA_ROOT", str(VAR_DIR / "media")))
MEDIA_URL = "/media-not-served/"

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "portal",
    }
}
if env.string("REDIS_URL"):
    CACHES["default"] = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": env.string("REDIS_URL"),
    }
# The public forms' rate limits (disclosure/core/antispam.py) must be counted once for every worker and
# host: in Redis when there is one, else in the database's cache table (`manage.py createcachetable`).
CACHES["ratelimit"] = (
    {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": env.string("REDIS_URL"),
        "KEY_PREFIX": "ratelimit",
    }
    if env.string("REDIS_URL")
    else {"BACKEND": "portal.cache.CounterDatabaseCache", "LOCATION": "portal_ratelimit"}
)
# The public page cache (portal/pagecache.py), shared by every worker and host: Redis when there is one,
# else the database table `portal_pages` (`manage.py createcachetable`). Never stale: every committed write
# starts a new content generation. PAGE_CACHE_SECONDS caps an entry's life (0 turns the cache off).
CACHES["pages"] = (
    {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": env.string("REDIS_URL"),
        "KEY_PREFIX": "pages",
    }
    if env.string("REDIS_URL")
    else {
        # Django's DatabaseCache with a one-statement set (count and cull on one set in 100).
        "BACKEND": "portal.cache.PageDatabaseCache",
        "LOCATION": "portal_pages",
        "OPTIONS": {"MAX_ENTRIES": 20000, "CULL_FREQUENCY": 4},
    }
)
PAGE_CACHE_SECONDS = env.integer("PAGE_CACHE_SECONDS", 600, minimum=0)
# Each process also keeps copies of the pages it served, up to this many MB, served only after the shared
# cache confirms their generation for the request (one small read); 0 keeps none.
PAGE_CACHE_LOCAL_MB = env.integer("PAGE_CACHE_LOCAL_MB", 32, minimum=0)
# How many reverse proxies of our own stand in front of gunicorn: the client address is the N-th entry
# from the right of X-Forwarded-For (disclosure/core/clientip.py); 0 means REMOTE_ADDR.
TRUSTED_PROXY_COUNT = env.integer("TRUSTED_PROXY_COUNT", 0)

EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if env.string("EMAIL_HOST")
    else "django.core.mail.backends.console.EmailBackend"
)
EMAIL_HOST = env.string("EMAIL_HOST", "localhost")
EMAIL_PORT = env.integer("EMAIL_PORT", 25)
EMAIL_HOST_USER = env.string("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env.string("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env.boolean("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env.string("DEFAULT_FROM_EMAIL", "noreply@localhost")

# Security baseline (README, "Security headers"). HTTPS settings apply in production, where a
# TLS-terminating proxy sits in front.
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True  # no script of ours (and none of the admin's) reads the CSRF cookie
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
# same-origin: no Referer at all to other sites. Our own addresses can carry what a citizen typed
# (search words, an application's tracking code), and no outside site needs to know where a visitor came from.
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Strict CSP: only our own files; no inline script, no inline style, nothing from another origin. The
# public pages have no JavaScript at all; the admin's JavaScript is Django's own static files. Charts
# are inline SVG styled by classes in static/css. data: images are for the admin's and browsers' own
# small icons. The only relaxation is scoped to one view: django-mptt's tree change lists indent rows
# with style attributes (catalog/admin.py TreeAdmin), so those admin pages alone add
# style-src-attr 'unsafe-inline' — style attributes only, never scripts.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [csp.SELF],
        "script-src": [csp.SELF],
        "style-src": [csp.SELF],
        "img-src": [csp.SELF, "data:"],
        "font-src": [csp.SELF],
        "connect-src": [csp.SELF],
        "object-src": [csp.NONE],
        "base-uri": [csp.SELF],
        "form-action": [csp.SELF],
        "frame-ancestors": [csp.NONE],
    },
}
# Powerful browser features the site never uses are switched off for it and anything it might embed
# (portal/headers.py writes the header). interest-cohort (FLoC) and its successor browsing-topics both:
# no browser may file our visitors into advertising cohorts.
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer", "autoplay", "browsing-topics", "camera", "display-capture", "fullscreen",
        "geolocation", "gyroscope", "interest-cohort", "magnetometer", "microphone", "midi", "payment",
        "publickey-credentials-get", "screen-wake-lock", "serial", "usb", "xr-spatial-tracking",
    )
}
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.boolean("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    # HSTS is off here by default (0): a 政务云 deployment terminates TLS at the platform's load balancer,
    # which sets Strict-Transport-Security for the whole gov.cn host; setting it twice, or here with a
    # max-age the platform does not control, is the mistake to avoid. So `check --deploy` keeps one
    # note, security.W004 (SECURE_HSTS_SECONDS not set). Where Django itself must send HSTS, set
    # SECURE_HSTS_SECONDS (e.g. 31536000); then W005 (include subdomains) and W021 (preload) remain
    # unless their variables are set: both are off by default, because the subdomains of a county's
    # gov.cn domain are other agencies' sites, and the preload list is a one-way commitment for the
    # whole domain that only its registrant can make.
    SECURE_HSTS_SECONDS = env.integer("SECURE_HSTS_SECONDS", 0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env.boolean("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
    SECURE_HSTS_PRELOAD = env.boolean("SECURE_HSTS_PRELOAD", False)

LOGIN_URL = "admin:login"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.string("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

# Site identity facts printed in every page footer (政府网站发展指引).
PORTAL_SITE_NAME = env.string("PORTAL_SITE_NAME", "住房城乡建设领域政务公开平台")
PORTAL_SITE_CODE = env.string("PORTAL_SITE_CODE", "")  # 网站标识码
PORTAL_ICP_NUMBER = env.string("PORTAL_ICP_NUMBER", "")  # ICP备案号
PORTAL_PSB_NUMBER = env.string("PORTAL_PSB_NUMBER", "")  # 公安备案号
PORTAL_SPONSOR = env.string("PORTAL_SPONSOR", "")  # 主办单位
PORTAL_CONAC_URL = env.string("PORTAL_CONAC_URL", "")  # 党政机关网站标识: the registrar's page for this site
PORTAL_CONTACT = env.string("PORTAL_CONTACT", "")  # 联系方式 of the site's operator (phone or e-mail)

# Attachments accepted on records.
ATTACHMENT_MAX_BYTES = env.integer("ATTACHMENT_MAX_MB", 20, minimum=1) * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Uploads are refused while the body streams in (disclosure/core/uploads.py): a multipart body
# declared larger than the attachment limit plus this overhead is not read at all; a file past the
# limit is not stored. Files up to FILE_UPLOAD_MAX_MEMORY_SIZE stay in memory, larger ones go to a
# temporary file. The reverse proxy's limit (nginx client_max_body_size) sits just above the sum.
UPLOAD_FORM_OVERHEAD_BYTES = 2 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2621440
FILE_UPLOAD_HANDLERS = [
    "disclosure.core.uploads.AttachmentLimitHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
# Archives inside office files (DOCX, XLSX, OFD) are judged by their central directory before
# anything reads them (disclosure/core/files.py): entries, total expanded size, compression ratio.
ARCHIVE_MAX_ENTRIES = env.integer("ARCHIVE_MAX_ENTRIES", 10_000, minimum=1)
ARCHIVE_MAX_EXPANDED_BYTES = env.integer("ARCHIVE_MAX_EXPANDED_MB", 200, minimum=1) * 1024 * 1024
ARCHIVE_MAX_RATIO = env.integer("ARCHIVE_MAX_RATIO", 100, minimum=2)
# Optional virus scan through clamd (INSTREAM): a Unix socket, or host and port. When configured and
# CLAMD_REQUIRED, an upload that cannot be scanned is refused; otherwise it passes unscanned.
CLAMD_SOCKET = env.string("CLAMD_SOCKET")
CLAMD_HOST = env.string("CLAMD_HOST")
CLAMD_PORT = env.integer("CLAMD_PORT", 3310, minimum=1)
CLAMD_REQUIRED = env.boolean("CLAMD_REQUIRED", True)
CLAMD_TIMEOUT = env.integer("CLAMD_TIMEOUT", 30, minimum=1)

# Days an application's applicant data is kept after it is closed; then `manage.py purge_applicant_data`
# blanks it. The case file itself is archived under the 档案法 outside the portal; 1095 days (3 years,
# the general limitation period of 民法典 art. 188) outlasts 行政复议 (60 days) and 行政诉讼 (6 months).
APPLICATION_RETENTION_DAYS = env.integer("APPLICATION_RETENTION_DAYS", 1095, minimum=1)

PAGE_SIZE = 20

# 留言与纠错 (disclosure/feedback): the reply limit in working days from the day a message arrives, per kind.
FEEDBACK_REPLY_DAYS = {
    "error": env.integer("FEEDBACK_ERROR_REPLY_DAYS", 3, minimum=1),
    "question": env.integer("FEEDBACK_QUESTION_REPLY_DAYS", 5, minimum=1),
}

# The site's public address, for links in e-mails (subscription confirmations and digests), which have no
# request to build them from. In production the first of ALLOWED_HOSTS over https unless set.
PORTAL_PUBLIC_URL = env.string("PORTAL_PUBLIC_URL", "").rstrip("/")

# Who sends attachment bytes once the public rule allows a download (disclosure/core/downloads.py):
# "" this worker; "nginx" the reverse proxy through X-Accel-Redirect to an internal location
# (deploy/nginx-portal.conf); "presigned" the object store through a short-lived signed URL (MEDIA_STORAGE=s3).
DOWNLOAD_OFFLOAD = env.choice("DOWNLOAD_OFFLOAD", ("", "nginx", "presigned"))
if DOWNLOAD_OFFLOAD == "presigned" and "S3" not in STORAGES["default"]["BACKEND"]:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("DOWNLOAD_OFFLOAD=presigned 需要 MEDIA_STORAGE=s3。")
DOWNLOAD_ACCEL_PREFIX = env.string("DOWNLOAD_ACCEL_PREFIX", "/_protected/")
# With MEDIA_STORAGE=s3: the internal location that proxies a presigned URL to the object store.
DOWNLOAD_ACCEL_S3_PREFIX = env.string("DOWNLOAD_ACCEL_S3_PREFIX", "/_s3/")
DOWNLOAD_PRESIGNED_SECONDS = env.integer("DOWNLOAD_PRESIGNED_SECONDS", 60, minimum=5)
# Minutes an edit lock on a draft lasts after its holder opened the form (disclosure/records/edit_lock.py);
# it is released earlier when the holder saves.
RECORD_EDIT_LOCK_MINUTES = env.integer("RECORD_EDIT_LOCK_MINUTES", 30, minimum=1)
# Site check jobs (`manage.py check_site`, disclosure/records/site_checks.py). Links inside the portal are
# always checked (no network); outside links only when LINK_CHECK_EXTERNAL is on, each with this timeout.
LINK_CHECK_EXTERNAL = env.boolean("LINK_CHECK_EXTERNAL", False)
LINK_CHECK_TIMEOUT = env.integer("LINK_CHECK_TIMEOUT", 5, minimum=1)
# The 单位管理员 of a province-level organisation may change the standard catalog (disclosure/core/platform.py).
AUTHENTICATION_BACKENDS += ["disclosure.core.platform.ProvincePlatformBackend"]
# 紧急发布: a record approved by the first step of its review chain ahead of the others must pass the
# remaining steps within this many hours; overdue ones are flagged on the dashboard (records/review_chain.py).
RECORD_URGENT_REVIEW_HOURS = env.integer("RECORD_URGENT_REVIEW_HOURS", 24, minimum=1)
# Staff single sign-on through a province's 统一身份认证 platform (OpenID Connect, mozilla-django-oidc;
# disclosure/core/sso.py, README "Staff single sign-on"). Off unless OIDC_ISSUER is set; then the other
# endpoints and the client's id and secret are required. TOTP is not asked after a platform sign-on: the
# platform does the second factor.
PORTAL_SSO_ENABLED = bool(env.string("OIDC_ISSUER"))
AUTHENTICATION_BACKENDS += ["disclosure.core.sso.StaffSSOBackend"]  # acts only on the platform's callback


def _sso(name: str) -> str:
    value = env.string(name)
    if PORTAL_SSO_ENABLED and not value:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(f"启用统一身份认证（已设置 OIDC_ISSUER）时必须设置环境变量 {name}。")
    return value


OIDC_OP_ISSUER = env.string("OIDC_ISSUER")
OIDC_RP_CLIENT_ID = _sso("OIDC_CLIENT_ID")
OIDC_RP_CLIENT_SECRET = _sso("OIDC_CLIENT_SECRET")
OIDC_OP_AUTHORIZATION_ENDPOINT = _sso("OIDC_AUTHORIZATION_ENDPOINT")
OIDC_OP_TOKEN_ENDPOINT = _sso("OIDC_TOKEN_ENDPOINT")
OIDC_OP_JWKS_ENDPOINT = _sso("OIDC_JWKS_ENDPOINT")
OIDC_OP_USER_ENDPOINT = env.string("OIDC_USERINFO_ENDPOINT")  # optional: claims beyond the ID token
OIDC_RP_SIGN_ALGO = env.string("OIDC_SIGN_ALGO", "RS256")
OIDC_RP_SCOPES = env.string("OIDC_SCOPES", "openid profile")
OIDC_USE_PKCE = True
OIDC_TIMEOUT = env.integer("OIDC_TIMEOUT", 10, minimum=1)
OIDC_AUTHENTICATION_CALLBACK_URL = "staff_sso_callback"
OIDC_ORG_CLAIM = env.string("OIDC_ORG_CLAIM", "org_code")
OIDC_ROLES_CLAIM = env.string("OIDC_ROLES_CLAIM", "roles")
# Platform role names for local roles, e.g. "xxy=信息员,shy=审核员" (the local names and editor, reviewer,
# org_admin, auditor are always understood).
OIDC_ROLE_MAP = dict(
    pair.split("=", 1) for pair in env.word_list("OIDC_ROLE_MAP", []) if "=" in pair
)
LOGIN_REDIRECT_URL = "/admin/"
