#!/usr/bin/env bash
# The full set of processes, as in production, on this machine: gunicorn (web), an RQ worker and the
# RQ cron scheduler, with jobs going through Redis (JOBS_BROKER_URL, default redis://127.0.0.1:6379/0)
# and localstripe on 127.0.0.1:$STRIPE_PORT (8420) when nothing listens there; web on $PORT (5000). Mails go to
# instance/mail.log unless MAIL_BACKEND says otherwise. Ctrl-C stops them all.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
export JOBS_BROKER_URL="${JOBS_BROKER_URL:-redis://127.0.0.1:6379/0}"
PORT="${PORT:-5000}"
STRIPE_PORT="${STRIPE_PORT:-8420}"
export GUNICORN_BIND="${GUNICORN_BIND:-127.0.0.1:$PORT}"
export STRIPE_API_BASE="${STRIPE_API_BASE:-http://127.0.0.1:$STRIPE_PORT}"
export MAIL_BACKEND="${MAIL_BACKEND:-file}"
if ! $BIN/python -c "import redis, os; redis.Redis.from_url(os.environ['JOBS_BROKER_URL'], socket_connect_timeout=2).ping()" 2>/dev/null; then
  echo "Redis does not answer at $JOBS_BROKER_URL: start it (apt-get install redis-server; redis-server --daemonize yes)" >&2
  exit 1
fi
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT INT TERM
if ! $BIN/python -c "import socket,sys; s=socket.socket(); sys.exit(s.connect_ex(('127.0.0.1', $STRIPE_PORT)) != 0)"; then
  $BIN/python -m marketplace.core.localstripe_server --port "$STRIPE_PORT" > instance/localstripe.log 2>&1 &
  PIDS+=($!)
fi
$BIN/flask --app marketplace worker > instance/worker.log 2>&1 &
PIDS+=($!)
$BIN/flask --app marketplace scheduler > instance/scheduler.log 2>&1 &
PIDS+=($!)
echo "worker and scheduler on $JOBS_BROKER_URL (logs instance/worker.log, instance/scheduler.log)"
echo "Open http://$GUNICORN_BIND — demo accounts: lab@demo.cn / company@demo.cn … password demo12345"
$BIN/gunicorn -c marketplace/deploy/gunicorn.conf.py &
PIDS+=($!)
wait -n
