#!/usr/bin/env bash
# Crash test of the ingestion service: stream a shared dataset, kill -9 the server mid-stream,
# restart it on the same data folder, and let the client resume. Passes when the client
# finishes and the server holds every edge of the file exactly once, in order.
#   crash_test.sh <streamgnn binary> <wikipedia.csv>
set -euo pipefail
bin=$1
data=$2
source "$(dirname "$0")/crash_common.sh"

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
