"""Settings, read once from the environment (prefix KARTOMAT_) and `.env`."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Every setting kartomat reads; documented in `.env.example`."""

    model_config = SettingsConfigDict(
        env_prefix="KARTOMAT_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    database_url: str = Field(
        default="sqlite:///kartomat.db",
        description="SQLAlchemy URL; SQLite file in the working directory by default.",
    )
    secret_key: SecretStr | None = Field(
        default=None,
        description="Derives invitation tokens. Unset: generated once into secret_key_file.",
    )
    secret_key_file: Path = Field(default=Path("kartomat.secret"))
    timezone: str = "Europe/Warsaw"
    language: str = "pl"

    telegram_token: SecretStr | None = None
    telegram_base_url: str = "https://api.telegram.org/bot"
    telegram_bot_username: str = "kartomat_bot"
    telegram_webhook_url: str | None = None
    # Webhook mode: where this process listens (behind the load balancer / TLS proxy) and
    # the secret Telegram echoes in X-Telegram-Bot-Api-Secret-Token.
    telegram_webhook_listen: str = "127.0.0.1"
    telegram_webhook_port: int = 8443
    telegram_webhook_secret: SecretStr | None = None

    smtp_host: str | None = None
    smtp_port: int = 587
    smtp_user: str | None = None
    smtp_password: SecretStr | None = None
    smtp_security: str = "starttls"  # starttls | tls | none
    mail_from: str = "monitoring@example.org"
    mail_from_name: str = "Centrum Monitoringu MP"
    mail_reply_to: str | None = None  # e.g. "monitoring+{token}@example.org"

    imap_host: str | None = None
    imap_port: int = 993
    imap_user: str | None = None
    imap_password: SecretStr | None = None
    imap_ssl: bool = True
    imap_folder: str = "INBOX"
    mail_source: str | None = None  # "maildir:PATH" when no IMAP server is configured
    mail_poll_seconds: float = 60.0  # longest wait between two mailbox passes (IDLE or sleep)
    mail_retention_days: int = 365
    mail_max_size_mb: int = 15
