# Shared by the crash tests (sourced): a scratch folder removed at exit, and a server started on
# it that is killed at exit if still running. Expects $bin (the streamgnn binary); callers may
# set the array serve_extra (more `serve` arguments) before start_server.
dir=$(mktemp -d)
server_pid=""
serve_extra=()
cleanup() {
  [ -n "$server_pid" ] && kill -9 "$server_pid" 2>/dev/null || true
  rm -rf "$dir"
}
trap cleanup EXIT

start_server() {  # $1: port (0 = any); sets server_pid and port
  "$bin" serve --data-dir "$dir/data" --listen "127.0.0.1:$1" "${serve_extra[@]}" >"$dir/server.log" 2>&1 &
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
