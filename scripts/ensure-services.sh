#!/usr/bin/env bash
# Start the local services the tests need, installing what is missing.
set -euo pipefail

if ! pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; then
  echo "Starting PostgreSQL…"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start
  for _ in $(seq 1 30); do pg_isready -h 127.0.0.1 -p 5432 -q && break; sleep 1; done
fi
pg_isready -h 127.0.0.1 -p 5432

# Headless Chromium opens the Raport MP in the report tests (tests/integration/test_report_browser.py).
if ! command -v chromium >/dev/null 2>&1; then
  echo "Installing Chromium…"
  apt-get update -qq && apt-get install -y -qq chromium
fi

# Dovecot IMAP for the mail integration tests (tests/integration/mail/): each test run
# starts its own instance from a temp config; the Debian system service stays off.
command -v dovecot >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dovecot-imapd)
if command -v service >/dev/null 2>&1 && pgrep -x dovecot >/dev/null 2>&1 && [ -f /run/dovecot/master.pid ]; then
  service dovecot stop >/dev/null 2>&1 || true
fi
