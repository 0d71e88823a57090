#!/usr/bin/env bash
# Runs an MPI command with every rank in its own network namespace, the namespaces joined by a
# bridge through veth links shaped with tc to a given rate (issue 7's communication benchmark:
# "4 ranks, each in its own network namespace joined by veth links shaped to 1 Gbit/s").
# Creates the namespaces, links and addresses itself and removes them on exit (also on error or
# Ctrl-C). Needs root (ip netns, tc) and OpenMPI's mpirun.
#
#   bench/netns/run_shaped.sh [--ranks 4] [--rate 1gbit] [--delay 0ms] -- CMD [ARGS...]
#
# CMD runs under `mpirun -np RANKS`, rank r in namespace sgn<r> at 10.77.0.<r+1>; mpirun itself
# stays in the root namespace (10.77.0.254 on the bridge). Each rank's link is shaped in both
# directions (a token bucket on each end of its veth pair), like one NIC per host; traffic
# between two ranks crosses two shaped links. Waiting ranks yield the CPU (mpi_yield_when_idle):
# each rank looks like a host of its own to OpenMPI, which would otherwise busy-poll, and ranks
# usually outnumber cores here.
set -euo pipefail

ranks=4
rate=1gbit
delay=0ms
while [[ $# -gt 0 ]]; do
  case "$1" in
    --ranks) ranks="$2"; shift 2 ;;
    --rate) rate="$2"; shift 2 ;;
    --delay) delay="$2"; shift 2 ;;
    --) shift; break ;;
    *) echo "run_shaped.sh: unknown option '$1' (expected --ranks N, --rate R, --delay D, then -- CMD)" >&2; exit 2 ;;
  esac
done
if [[ $# -eq 0 ]]; then
  echo "run_shaped.sh: no command given after --" >&2
  exit 2
fi
if [[ $EUID -ne 0 ]]; then
  echo "run_shaped.sh: needs root (ip netns, tc)" >&2
  exit 2
fi
if ! [[ "$ranks" =~ ^[0-9]+$ ]] || (( ranks < 1 || ranks > 200 )); then
  echo "run_shaped.sh: --ranks must be an integer in [1, 200], got '$ranks'" >&2
  exit 2
fi

bridge=sgnbr0
agent=$(mktemp /tmp/sgn_agent.XXXXXX)
hosts=""

cleanup() {
  for ((r = 0; r < ranks; ++r)); do
    ip netns del "sgn$r" 2>/dev/null || true
    ip link del "sgv$r" 2>/dev/null || true
  done
  ip link del "$bridge" 2>/dev/null || true
  rm -f "$agent"
}
trap cleanup EXIT INT TERM
cleanup  # leftovers of an interrupted run
agent=$(mktemp /tmp/sgn_agent.XXXXXX)

ip link add "$bridge" type bridge
ip addr add 10.77.0.254/24 dev "$bridge"
ip link set "$bridge" up
shape() {  # shape DEV [NETNS]
  local cmd=(tc)
  [[ -n "${2:-}" ]] && cmd=(ip netns exec "$2" tc)
  if [[ "$delay" != "0ms" ]]; then
    "${cmd[@]}" qdisc add dev "$1" root netem rate "$rate" delay "$delay" limit 100000
  else
    # Burst of ~1 ms at the rate, so short messages are not shaped harder than the link.
    "${cmd[@]}" qdisc add dev "$1" root tbf rate "$rate" burst 256kb latency 100ms
  fi
}
for ((r = 0; r < ranks; ++r)); do
  ns="sgn$r"
  ip netns add "$ns"
  ip link add "sgv$r" type veth peer name eth0 netns "$ns"
  ip link set "sgv$r" master "$bridge" up
  ip netns exec "$ns" ip addr add "10.77.0.$((r + 1))/24" dev eth0
  ip netns exec "$ns" ip link set eth0 up
  ip netns exec "$ns" ip link set lo up
  shape "sgv$r"
  shape eth0 "$ns"
  hosts+="${hosts:+,}10.77.0.$((r + 1))"
done

# mpirun starts one daemon per "host" through this agent instead of ssh: the host address names
# the namespace to enter.
cat > "$agent" <<'AGENT'
#!/usr/bin/env bash
host="$1"; shift
exec ip netns exec "sgn$(( ${host##*.} - 1 ))" /bin/sh -c "$*"
AGENT
chmod +x "$agent"

export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
forward=()  # the caller's environment that the ranks need, where set
for v in PATH LD_LIBRARY_PATH OMP_NUM_THREADS STREAMGNN_DATASETS_DIR; do
  [[ -n "${!v:-}" ]] && forward+=(-x "$v")
done
mpirun -np "$ranks" --host "$hosts" --map-by node \
  --mca plm_rsh_agent "$agent" \
  --mca oob_tcp_if_include 10.77.0.0/24 --mca btl_tcp_if_include 10.77.0.0/24 \
  --mca btl tcp,self \
  --mca mpi_yield_when_idle 1 \
  "${forward[@]}" \
  "$@"
