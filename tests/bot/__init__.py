"""End-to-end tests of the Telegram bot over HTTP against the Bot API stand-in."""
