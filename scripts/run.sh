#!/usr/bin/env bash
# Serve the platform on http://127.0.0.1:$PORT (default 5000) with localstripe on 127.0.0.1:$STRIPE_PORT
# (default 8420). localstripe is started only when nothing listens there, and stopped again on exit.
# Mails go to instance/mail.log (MAIL_BACKEND=file) unless MAIL_BACKEND says otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
PORT="${PORT:-5000}"
STRIPE_PORT="${STRIPE_PORT:-8420}"
export STRIPE_API_BASE="${STRIPE_API_BASE:-http://127.0.0.1:$STRIPE_PORT}"
export MAIL_BACKEND="${MAIL_BACKEND:-file}"
LS_PID=""
if ! $BIN/python -c "import socket,sys; s=socket.socket(); sys.exit(s.connect_ex(('127.0.0.1', $STRIPE_PORT)) != 0)"; then
  $BIN/python -m marketplace.core.localstripe_server --port "$STRIPE_PORT" > instance/localstripe.log 2>&1 &
  LS_PID=$!
  echo "localstripe on 127.0.0.1:$STRIPE_PORT (log instance/localstripe.log)"
fi
cleanup() { if [ -n "$LS_PID" ]; then kill "$LS_PID" 2>/dev/null || true; fi; }
trap cleanup EXIT INT TERM
echo "Open http://127.0.0.1:$PORT — demo accounts in README.md (password demo12345); mails in instance/mail.log"
$BIN/flask --app marketplace run --host 127.0.0.1 --port "$PORT"
