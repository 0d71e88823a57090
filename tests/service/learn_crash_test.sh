#!/usr/bin/env bash
# Crash test of a learning server (`serve --learn`): stream a shared dataset, kill -9 the server
# while its learner trains a window, restart it on the same data folder and let the client
# resume. Passes when the server holds every edge of the file exactly once, in order, and the
# restarted learner continued the window count: the windows it had checkpointed keep their
# prequential AP, later ones follow, and every stored edge is learned but the last partial window.
#   learn_crash_test.sh <streamgnn binary> <wikipedia.csv> <jodie config>
set -euo pipefail
bin=$1
data=$2
config=$3
source "$(dirname "$0")/crash_common.sh"
serve_extra=(--max-nodes 9228 --learn "$config" --set train.epoch=1 --set continuous.warmup_events=30000
             --set continuous.window=10000 --set continuous.epoch=3 --set continuous.max_lag=1000
             --set log.level=warn)

stat() {  # $1: a key of the server's Stats JSON
  "$bin" stats --server "127.0.0.1:$port" | python3 -c "import json,sys; print(json.load(sys.stdin)['$1'])"
}

start_server 0
"$bin" ingest --server "127.0.0.1:$port" --file "$data" --format jodie --batch 500 --rate 20000 \
  >"$dir/client.out" 2>"$dir/client.err" &
client_pid=$!
# Kill while the learner trains, after it has checkpointed at least two windows.
killed=""
for _ in $(seq 600); do
  if [ "$(stat learned_windows)" -ge 2 ] && [ "$(stat learner_training)" = "True" ]; then
    before=$("$bin" stats --server "127.0.0.1:$port")
    kill -9 "$server_pid"
    killed=1
    break
  fi
  sleep 0.02
done
[ -n "$killed" ] || { echo "never caught the learner training" >&2; cat "$dir/server.log" >&2; exit 1; }
wait "$server_pid" 2>/dev/null || true
windows_before=$(echo "$before" | python3 -c "import json,sys; print(json.load(sys.stdin)['learned_windows'])")
echo "server killed while training window $((windows_before + 1))"
start_server "$port"
wait "$client_pid"
"$bin" ingest --server "127.0.0.1:$port" --file "$data" --format jodie --verify
# 157,474 edges: warm-up 30,000, then 12 full windows; the last 7,474 wait for more.
for _ in $(seq 600); do
  [ "$(stat learned_windows)" -ge 12 ] && break
  sleep 0.1
done
after=$("$bin" stats --server "127.0.0.1:$port")
python3 - "$before" "$after" <<'PY'
import json, sys
before, after = json.loads(sys.argv[1]), json.loads(sys.argv[2])
assert after["learner_error"] == "", after["learner_error"]
assert after["learned_windows"] == 12, after
assert after["learned_events"] == 150000, after
k = before["learned_windows"]
assert after["prequential_ap"][:k] == before["prequential_ap"], (before["prequential_ap"], after["prequential_ap"])
print(f"restarted learner kept windows 1..{k} and went on to window {after['learned_windows']}")
PY
