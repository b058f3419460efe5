"""Settings for the disclosure portal: one module, differences only through environment variables.

See portal/env.py for how each variable is read and README.md for the list.
"""

from pathlib import Path

from django.utils.translation import gettext_lazy as _

from portal import env

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env.string("PORTAL_VAR_DIR", str(BASE_DIR / "var")))

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
    "django.contrib.admin",
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
    "catalog",
    "disclosure",
    "portal",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
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
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# One language (README, "Language and translations"): our strings are written in Chinese and need no
# catalog, so there is no LOCALE_PATHS; Django's own strings come from its zh_Hans translations.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文"))]
TIME_ZONE = env.string("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

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

# Security baseline. HTTPS settings apply in production, where a TLS-terminating proxy sits in front.
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.boolean("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.integer("SECURE_HSTS_SECONDS", 31536000)

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

PAGE_SIZE = 20
