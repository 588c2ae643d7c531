#!/usr/bin/env bash
# Serve the platform on http://127.0.0.1:5000 with localstripe on 127.0.0.1:8420.
# localstripe is started only when nothing listens on 8420, and stopped again on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
LS_PID=""
if ! $BIN/python -c "import socket,sys; s=socket.socket(); sys.exit(s.connect_ex(('127.0.0.1', 8420)) != 0)"; then
  $BIN/python -m marketplace.core.localstripe_server --port 8420 > instance/localstripe.log 2>&1 &
  LS_PID=$!
  echo "localstripe started on 127.0.0.1:8420 (pid $LS_PID, log instance/localstripe.log)"
fi
cleanup() { if [ -n "$LS_PID" ]; then kill "$LS_PID" 2>/dev/null || true; fi; }
trap cleanup EXIT INT TERM
echo "Open http://127.0.0.1:5000 — demo accounts: lab@demo.cn / company@demo.cn … password demo12345"
$BIN/flask --app marketplace run --host 127.0.0.1 --port 5000
