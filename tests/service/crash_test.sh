#!/usr/bin/env bash
# Crash test of the ingestion service: stream a shared dataset, kill -9 the server mid-stream,
# restart it on the same data folder, and let the client resume. Passes when the client
# finishes and the server holds every edge of the file exactly once, in order.
#   crash_test.sh <streamgnn binary> <wikipedia.csv>
set -euo pipefail
bin=$1
data=$2
dir=$(mktemp -d)
server_pid=""
cleanup() {
  [ -n "$server_pid" ] && kill -9 "$server_pid" 2>/dev/null || true
  rm -rf "$dir"
}
trap cleanup EXIT

start_server() {  # $1: port (0 = any); sets server_pid and port
  "$bin" serve --data-dir "$dir/data" --listen "127.0.0.1:$1" >"$dir/server.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 100); do
    port=$(sed -n 's/.*listening on port \([0-9]*\).*/\1/p' "$dir/server.log")
    [ -n "$port" ] && return
    sleep 0.1
  done
  cat "$dir/server.log" >&2
  echo "server did not start" >&2
  exit 1
}

start_server 0
# 157,474 edges at 40,000 edges/s: about 4 s of streaming.
"$bin" ingest --server "127.0.0.1:$port" --file "$data" --format jodie --batch 500 --rate 40000 \
  >"$dir/client.out" 2>"$dir/client.err" &
client_pid=$!
sleep 1.5
kill -9 "$server_pid"
wait "$server_pid" 2>/dev/null || true
echo "server killed mid-stream"
sleep 0.5
start_server "$port"
echo "server restarted: $(grep restored "$dir/server.log")"
wait "$client_pid"
cat "$dir/client.out"
python3 -c "import json,sys; sys.exit(0 if json.loads(open('$dir/client.out').read().splitlines()[-1])['retries'] > 0 else 1)" \
  || { echo "the client never had to retry: the kill missed the stream" >&2; exit 1; }
"$bin" ingest --server "127.0.0.1:$port" --file "$data" --format jodie --verify
