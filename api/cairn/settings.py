"""One typed settings object, read from the environment and checked at start.

Every knob Cairn has lives here, so a park's IT team finds them in one place
(and in README.md). A bad value stops the program with a message naming the
variable, never with a traceback deep inside the server.
"""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Mapping
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import msgspec

from cairn.core.statuses import NEVER_PUBLIC, PUBLIC_BY_DEFAULT, STATUSES


class SettingsError(ValueError):
    """A variable of the environment has a value Cairn cannot use."""


class Settings(msgspec.Struct, frozen=True, kw_only=True):
    """Cairn's configuration; build it with :meth:`from_env`."""

    database_url: str | None = None
    """`DATABASE_URL`: an external PostgreSQL. Unset → the embedded server."""
    database_read_url: str | None = None
    """`DATABASE_READ_URL`: a read replica for open-data queries. Unset → the main database."""
    replica_max_lag_s: int = 5
    """`CAIRN_REPLICA_MAX_LAG_S`: seconds the replica may lag before reads go to the primary."""
    replica_check_s: int = 1
    """`CAIRN_REPLICA_CHECK_S`: how often the replica's lag is measured (0: only at start)."""
    data_dir: Path = Path(".cairn-data")
    """`CAIRN_DATA_DIR`: where the embedded server keeps its files (and photos)."""
    host: str = "127.0.0.1"
    port: int = 8000
    base_url: str = "http://127.0.0.1:8000"
    """`CAIRN_BASE_URL`: the public address, used in links and exports."""
    max_body_bytes: int = 1_048_576
    """`CAIRN_MAX_BODY_BYTES`: the largest JSON body accepted (photos have their own limit)."""
    max_photo_bytes: int = 25 * 1_048_576
    """`CAIRN_MAX_PHOTO_BYTES`: the largest photo upload (a 12-MP phone JPEG is 3-8 MB)."""
    max_photo_pixels: int = 50_000_000
    """`CAIRN_MAX_PHOTO_PIXELS`: width x height beyond which a photo is refused before decoding."""
    photo_workers: int = 2
    """`CAIRN_PHOTO_WORKERS`: photos decoded at once per process (each needs ~4 bytes/pixel)."""
    photo_store: str = "local"
    """`CAIRN_PHOTO_STORE`: `local` (a folder under the data dir) or `s3`."""
    s3_bucket: str | None = None
    """`CAIRN_S3_BUCKET`: the `s3` photo store's bucket (credentials: the usual AWS_* variables)."""
    s3_endpoint_url: str | None = None
    """`CAIRN_S3_ENDPOINT_URL`: an S3-compatible server (MinIO, Garage, Scaleway…); empty = AWS."""
    s3_prefix: str = "photos/"
    """`CAIRN_S3_PREFIX`: key prefix of the photo files inside the bucket."""
    public_statuses: tuple[str, ...] = PUBLIC_BY_DEFAULT
    """`CAIRN_PUBLIC_STATUSES`: which validation statuses the open data shows."""
    pool_min_size: int = 2
    pool_max_size: int = 10
    clock_skew_seconds: int = 300
    """How far in the future a device clock may be before `observed_at` is refused."""
    log_level: str = "INFO"
    rate_limit_per_minute: int = 600
    """`CAIRN_RATE_LIMIT_PER_MINUTE`: requests per client IP per minute (per server process)."""
    api_key_rate_limit_per_minute: int = 6000
    """`CAIRN_API_KEY_RATE_LIMIT_PER_MINUTE`: the same for a request with a valid `X-API-Key`."""
    redis_url: str | None = None
    """`CAIRN_REDIS_URL`: share rate limits between workers and machines (else per process)."""
    device_rate_limit_per_minute: int = 300
    """`CAIRN_DEVICE_RATE_LIMIT_PER_MINUTE`: the same per contributor device token.

    Visitors behind one refuge's or hotel's Wi-Fi share an IP address, so a
    signed device spends its own bucket, not the address's.
    """
    publisher: str = "Cairn"
    """`CAIRN_PUBLISHER`: the organisation named as creator of exported datasets."""
    contact_email: str = "contact@cairn.invalid"
    """`CAIRN_CONTACT_EMAIL`: the contact written into exported datasets' metadata."""
    deployment_title: str = (
        "Cairn participatory observations: Briançonnais, Écrins, Guillestrois, Queyras"
    )
    """`CAIRN_DEPLOYMENT_TITLE`: what this deployment's open data is called (archives, OGC)."""
    coverage: str = "Briançonnais, Écrins, Guillestrois and Queyras (Hautes-Alpes, France)"
    """`CAIRN_COVERAGE`: the territory the deployment covers, in words (archives, OGC)."""
    timezone: str = "Europe/Paris"
    """`CAIRN_TIMEZONE`: the territory's time zone, for imported local dates and times."""
    secret_key: str | None = None
    """`CAIRN_SECRET_KEY`: signs staff access tokens. Unset → generated once and kept in
    `CAIRN_DATA_DIR/secret_key`, so restarts keep sessions (see :func:`signing_key`)."""
    access_token_seconds: int = 900
    """`CAIRN_ACCESS_TOKEN_SECONDS`: staff access token lifetime (short: it is not revocable)."""
    refresh_token_days: int = 30
    """`CAIRN_REFRESH_TOKEN_DAYS`: lifetime of a staff refresh token (revocable)."""
    pwa_dir: Path = Path(__file__).resolve().parents[2] / "pwa" / "dist"
    """`CAIRN_PWA_DIR`: the built field app, served at `/` (`make pwa` builds it)."""
    tile_url: str = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
    """`CAIRN_TILE_URL`: the map tiles of the field app (XYZ template)."""
    tile_attribution: str = "© OpenStreetMap contributors"
    """`CAIRN_TILE_ATTRIBUTION`: the credit the tile provider asks for."""
    widget_origins: tuple[str, ...] = ("*",)
    """`CAIRN_WIDGET_ORIGINS`: sites allowed to embed the widgets (CSP frame-ancestors).

    `*` (the default) lets any site embed them: they only show open data. A list
    such as `https://www.example-hotel.fr,https://*.example-resort.com` restricts it.
    """

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Read the settings from `environ` (default: the process environment)."""
        env = os.environ if environ is None else environ
        default = cls()
        statuses = _csv(env.get("CAIRN_PUBLIC_STATUSES"), default.public_statuses)
        unknown = [s for s in statuses if s not in STATUSES or s in NEVER_PUBLIC]
        if unknown:
            raise SettingsError(
                f"CAIRN_PUBLIC_STATUSES: unknown status {', '.join(unknown)}; "
                f"choose among {', '.join(s for s in STATUSES if s not in NEVER_PUBLIC)}"
            )
        settings = cls(
            database_url=env.get("DATABASE_URL") or None,
            database_read_url=env.get("DATABASE_READ_URL") or None,
            replica_max_lag_s=_int(
                env, "CAIRN_REPLICA_MAX_LAG_S", default.replica_max_lag_s, 0, 3600
            ),
            replica_check_s=_int(env, "CAIRN_REPLICA_CHECK_S", default.replica_check_s, 0, 3600),
            data_dir=Path(env.get("CAIRN_DATA_DIR") or default.data_dir),
            host=env.get("CAIRN_HOST", default.host),
            port=_int(env, "CAIRN_PORT", default.port, 1, 65535),
            base_url=env.get("CAIRN_BASE_URL", "").rstrip("/") or default.base_url,
            max_body_bytes=_int(env, "CAIRN_MAX_BODY_BYTES", default.max_body_bytes, 1024, 2**31),
            max_photo_bytes=_int(
                env, "CAIRN_MAX_PHOTO_BYTES", default.max_photo_bytes, 1024, 2**31
            ),
            max_photo_pixels=_int(
                env, "CAIRN_MAX_PHOTO_PIXELS", default.max_photo_pixels, 1, 400_000_000
            ),
            photo_workers=_int(env, "CAIRN_PHOTO_WORKERS", default.photo_workers, 1, 64),
            photo_store=env.get("CAIRN_PHOTO_STORE", default.photo_store).strip().lower(),
            s3_bucket=env.get("CAIRN_S3_BUCKET") or None,
            s3_endpoint_url=env.get("CAIRN_S3_ENDPOINT_URL") or None,
            s3_prefix=env.get("CAIRN_S3_PREFIX", default.s3_prefix),
            public_statuses=statuses,
            pool_min_size=_int(env, "CAIRN_DB_POOL_MIN", default.pool_min_size, 0, 1000),
            pool_max_size=_int(env, "CAIRN_DB_POOL_MAX", default.pool_max_size, 1, 1000),
            clock_skew_seconds=_int(
                env, "CAIRN_CLOCK_SKEW_SECONDS", default.clock_skew_seconds, 0, 86400
            ),
            log_level=env.get("CAIRN_LOG_LEVEL", default.log_level).upper(),
            rate_limit_per_minute=_int(
                env, "CAIRN_RATE_LIMIT_PER_MINUTE", default.rate_limit_per_minute, 1, 10**7
            ),
            api_key_rate_limit_per_minute=_int(
                env,
                "CAIRN_API_KEY_RATE_LIMIT_PER_MINUTE",
                default.api_key_rate_limit_per_minute,
                1,
                10**8,
            ),
            redis_url=env.get("CAIRN_REDIS_URL") or None,
            device_rate_limit_per_minute=_int(
                env,
                "CAIRN_DEVICE_RATE_LIMIT_PER_MINUTE",
                default.device_rate_limit_per_minute,
                1,
                10**7,
            ),
            publisher=env.get("CAIRN_PUBLISHER", default.publisher),
            contact_email=env.get("CAIRN_CONTACT_EMAIL", default.contact_email),
            deployment_title=env.get("CAIRN_DEPLOYMENT_TITLE") or default.deployment_title,
            coverage=env.get("CAIRN_COVERAGE") or default.coverage,
            timezone=_timezone(env.get("CAIRN_TIMEZONE") or default.timezone),
            secret_key=env.get("CAIRN_SECRET_KEY") or None,
            access_token_seconds=_int(
                env, "CAIRN_ACCESS_TOKEN_SECONDS", default.access_token_seconds, 30, 86400
            ),
            refresh_token_days=_int(
                env, "CAIRN_REFRESH_TOKEN_DAYS", default.refresh_token_days, 1, 365
            ),
            pwa_dir=Path(env.get("CAIRN_PWA_DIR") or default.pwa_dir),
            tile_url=env.get("CAIRN_TILE_URL") or default.tile_url,
            tile_attribution=env.get("CAIRN_TILE_ATTRIBUTION") or default.tile_attribution,
            widget_origins=_origins(env.get("CAIRN_WIDGET_ORIGINS"), default.widget_origins),
        )
        if settings.secret_key is not None and len(settings.secret_key) < 32:
            raise SettingsError("CAIRN_SECRET_KEY must be at least 32 characters long")
        if settings.pool_min_size > settings.pool_max_size:
            raise SettingsError("CAIRN_DB_POOL_MIN must not exceed CAIRN_DB_POOL_MAX")
        for name, url in (
            ("DATABASE_URL", settings.database_url),
            ("DATABASE_READ_URL", settings.database_read_url),
        ):
            if url and not url.startswith(("postgresql://", "postgres://")):
                raise SettingsError(f"{name} must start with postgresql:// or postgres://")
        if (
            not settings.tile_url.startswith(("https://", "http://"))
            or "{z}" not in settings.tile_url
        ):
            raise SettingsError(
                "CAIRN_TILE_URL must be an http(s) URL template with {z}, {x} and {y}"
            )
        if settings.photo_store not in {"local", "s3"}:
            raise SettingsError("CAIRN_PHOTO_STORE must be local or s3")
        if settings.photo_store == "s3" and not settings.s3_bucket:
            raise SettingsError("CAIRN_PHOTO_STORE=s3 needs CAIRN_S3_BUCKET")
        if settings.redis_url and not settings.redis_url.startswith(
            ("redis://", "rediss://", "unix://")
        ):
            raise SettingsError("CAIRN_REDIS_URL must start with redis://, rediss:// or unix://")
        if settings.log_level not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
            raise SettingsError("CAIRN_LOG_LEVEL must be DEBUG, INFO, WARNING or ERROR")
        return settings


def signing_key(settings: Settings) -> str:
    """The key that signs access tokens: `CAIRN_SECRET_KEY`, or one kept under the data dir.

    The generated key is written once (mode 0600) and read back on every start,
    so a restart does not sign everybody out; delete the file to do exactly that.
    """
    if settings.secret_key:
        return settings.secret_key
    path = settings.data_dir / "secret_key"
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # made earlier, or by a process starting beside this one
        pass
    else:
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(48))
    return path.read_text().strip()


def _int(env: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{name}: expected a whole number, got {raw!r}") from None
    if not low <= value <= high:
        raise SettingsError(f"{name}: {value} is outside {low}..{high}")
    return value


def _timezone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise SettingsError(f"CAIRN_TIMEZONE: no time zone {name!r}") from None
    return name


_ORIGIN = re.compile(r"\*|https?://(\*\.)?[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:[0-9]{1,5})?")


def _origins(raw: str | None, default: tuple[str, ...]) -> tuple[str, ...]:
    origins = _csv(raw, default)
    bad = [origin for origin in origins if not _ORIGIN.fullmatch(origin)]
    if bad:
        raise SettingsError(
            f"CAIRN_WIDGET_ORIGINS: {', '.join(bad)} is not * or an origin such as "
            "https://www.example.org (scheme and host, lowercase, no path)"
        )
    return origins


def _csv(raw: str | None, default: tuple[str, ...]) -> tuple[str, ...]:
    if raw is None or not raw.strip():
        return default
    return tuple(part.strip() for part in raw.split(",") if part.strip())
