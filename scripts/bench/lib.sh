# Shared by the benchmark scenarios: builds what is missing, starts a broker, relay, executor and the baselines on
# loopback, runs the load generator, and stops everything when the scenario ends. Sourced, not run.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
source scripts/jars.sh
scenario="$(basename "$0")"
out="${BENCH_OUT:-$root/bench-results}/$scenario"
logs="$out/logs"
# Padding per event: frames of about 330 bytes, the size of a typical node event.
payload="${BENCH_PAYLOAD:-100}"

say() { printf '[bench %s] %s\n' "$scenario" "$*" >&2; }
fail() { say "$*"; exit 1; }

build_when_needed relay executor tools testkit
# RELAY_JAR and EXECUTOR_JAR run another build of the relay or executor instead of this one; COMPARE_JAR runs
# another relay build beside this one in the same run (label relay-b, on the same broker, measured right after the
# relay at each step).
relay_jar="${RELAY_JAR:-$(jar_of relay)}"
executor_jar="${EXECUTOR_JAR:-$(jar_of executor)}"
tools_jar="$(jar_of tools)"
testkit_cp="testkit/target/classes:$(cat testkit/target/runtime-classpath.txt)"
mkdir -p "$logs"
# A report covers this run only: results a step left by an earlier run (one this run skips, a relay-b no longer
# compared) would otherwise be read into its table beside this run's figures.
rm -f "$out"/*.json "$out"/*.hgrm "$out"/*.dat

set -m
bench_pids=()
stop_all() {
  for (( i=${#bench_pids[@]}-1; i>=0; i-- )); do
    kill -TERM "${bench_pids[i]}" 2>/dev/null || true
    wait "${bench_pids[i]}" 2>/dev/null || true
  done
  bench_pids=()
}
trap stop_all EXIT
trap 'stop_all; exit 130' INT TERM

free_port() {
  local port
  for port in $(seq "${1:-18100}" 18999); do
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then echo "$port"; return; fi
  done
  fail "no free port"
}

# Waits for a process's output file to contain NAME=value and prints the value.
await_line() {
  local file="$1" name="$2" pid="$3"
  for _ in $(seq 1 240); do
    if grep -q "^$name=" "$file" 2>/dev/null; then sed -n "s/^$name=//p" "$file" | head -1; return; fi
    kill -0 "$pid" 2>/dev/null || fail "process $pid exited; see $file and $logs"
    sleep 0.25
  done
  fail "no $name in $file"
}

start_broker() {
  java -Xms256m -Xmx1g -cp "$testkit_cp" io.agentrelay.testkit.EmbeddedKafkaMain \
    > "$logs/kafka.out" 2> "$logs/kafka.log" &
  bench_pids+=($!)
  KAFKA_BOOTSTRAP_SERVERS="$(await_line "$logs/kafka.out" KAFKA_BOOTSTRAP_SERVERS $!)"
  export KAFKA_BOOTSTRAP_SERVERS
  say "Kafka at $KAFKA_BOOTSTRAP_SERVERS"
}

# start_relay [NAME [JAR [OPTS]]]: a relay with room for the scenario's connections; sets RELAY_URL, RELAY_HTTP and
# RELAY_PID. OPTS (default RELAY_JAVA_OPTS): more JVM options, {name} replaced by the relay's name (a GC log or flight
# recording per relay: -Xlog:gc:file=/tmp/{name}-gc.log); they come after the defaults, so they can replace the heap
# sizes, and one that picks a collector (-XX:+Use...GC) replaces the Parallel collector, the relay's default since
# 2026-11-29: at 10 events/s to 10,000 subscribers G1 copied the outboxes' backlog young collection after young
# collection and its relay lagged more at p99 in most runs (docs/BENCHMARKS.md, "The relay's collector").
# RELAY_MANAGEMENT_PORT set (to anything): each relay serves /health and /metrics on a free port of its own, and
# RELAY_HTTP is that port's.
start_relay() {
  local name="${1:-relay}" jar="${2:-$relay_jar}" port opts="${3-${RELAY_JAVA_OPTS:-}}" gc="-XX:+UseParallelGC"
  [[ ! " $opts " =~ \ -XX:\+Use[A-Za-z0-9]+GC\  ]] || gc=""
  port="$(free_port 18100)"
  local -x RELAY_MANAGEMENT_PORT="${RELAY_MANAGEMENT_PORT:+$(free_port $((port + 1)))}"
  # The load clients send no tokens and all come from loopback (one remote address): the relays run without
  # authentication, as they must be told explicitly, and without a per-subject connection limit worth the name.
  RELAY_PORT="$port" RELAY_MAX_CONNECTIONS=100000 RELAY_MAX_CONNECTIONS_PER_SUBJECT=100000 RELAY_DRAIN_MS=0 \
    RELAY_NODE_ID="$name" RELAY_AUTH_DISABLED=true RELAY_JWT_SECRET= RELAY_JWKS_FILE= \
    java -Xms"${RELAY_HEAP:-1g}" -Xmx"${RELAY_HEAP:-1g}" $gc ${opts//\{name\}/$name} -jar "$jar" \
    2> "$logs/$name.log" &
  local pid=$!
  bench_pids+=("$pid")
  for _ in $(seq 1 120); do
    curl -fsS "http://127.0.0.1:${RELAY_MANAGEMENT_PORT:-$port}/health" >/dev/null 2>&1 && break
    kill -0 "$pid" 2>/dev/null || fail "the relay exited; see $logs/$name.log"
    sleep 0.5
  done
  RELAY_URL="ws://127.0.0.1:$port/ws"
  RELAY_HTTP="http://127.0.0.1:${RELAY_MANAGEMENT_PORT:-$port}"
  RELAY_PID="$pid"
  say "$name at $RELAY_URL (pid $pid)"
}

# start_relays: the relay, and with COMPARE_JAR or COMPARE_JAVA_OPTS a second one beside it (relay-b: that build, or
# this one, with COMPARE_JAVA_OPTS instead of RELAY_JAVA_OPTS when set); sets RELAYS to "LABEL URL HTTP" lines.
start_relays() {
  start_relay
  RELAYS=("relay $RELAY_URL $RELAY_HTTP")
  if [[ -n "${COMPARE_JAR:-}${COMPARE_JAVA_OPTS:-}" ]]; then
    start_relay relay-b "${COMPARE_JAR:-$relay_jar}" "${COMPARE_JAVA_OPTS-${RELAY_JAVA_OPTS:-}}"
    RELAYS+=("relay-b $RELAY_URL $RELAY_HTTP")
  fi
}

# start_executor: one executor; EXECUTOR_METRICS_PORT fixes the port of its /metrics (default: any free one).
start_executor() {
  EXECUTOR_METRICS_PORT="${EXECUTOR_METRICS_PORT:-0}" EXECUTOR_SANDBOX_DIR="$out/sandbox" \
    java -Xms128m -Xmx512m ${EXECUTOR_JAVA_OPTS:-} -jar "$executor_jar" 2> "$logs/executor.log" &
  bench_pids+=($!)
  say "executor started"
}

# start_ceiling RATE PATTERN CHANNELS: the bare Undertow broadcast server; sets CEILING_URL.
start_ceiling() {
  java -Xms512m -Xmx1g -cp "$testkit_cp" io.agentrelay.testkit.bench.BroadcastServer 0 "$1" "$2" "$3" "$payload" \
    > "$logs/ceiling.out" 2> "$logs/ceiling.log" &
  bench_pids+=($!)
  CEILING_URL="$(await_line "$logs/ceiling.out" BENCH_URL $!)"
  CEILING_PID=$!
}

# start_peer RATE PATTERN CHANNELS: the Node.js ws server; sets PEER_URL, or leaves it empty without Node.js or
# with PEER=off.
start_peer() {
  PEER_URL=""
  if [[ "${PEER:-on}" == off ]]; then
    say "PEER=off: skipping the ws peer"
    return
  fi
  if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    say "no Node.js: skipping the ws peer (Debian: apt-get install -y nodejs npm)"
    return
  fi
  [[ -d scripts/bench/peer/node_modules/ws ]] || npm ci --prefix scripts/bench/peer --no-audit --no-fund >&2
  node scripts/bench/peer/ws-server.mjs 0 "$1" "$2" "$3" "$payload" > "$logs/peer.out" 2> "$logs/peer.log" &
  bench_pids+=($!)
  PEER_URL="$(await_line "$logs/peer.out" BENCH_URL $!)"
  PEER_PID=$!
}

# stop_last: stops the process started last (a baseline server once its run is over).
stop_last() {
  local last=$(( ${#bench_pids[@]} - 1 ))
  kill -TERM "${bench_pids[last]}" 2>/dev/null || true
  wait "${bench_pids[last]}" 2>/dev/null || true
  unset "bench_pids[last]"
  bench_pids=("${bench_pids[@]}")
}

load() {
  java -Xms256m -Xmx"${LOAD_HEAP:-1g}" ${LOAD_JAVA_OPTS:-} -jar "$tools_jar" bench load "$@"
}

# load_with_publisher SECONDS PUBLISH_ARGS -- LOAD_ARGS: runs the load generator and, once its clients are live,
# publishes events for SECONDS, so that no event is offered before anyone listens. The publisher's JVM starts with
# the clients and waits, producer ready, for them: started only once they were live, its start-up took 70–93 % of a
# core from the relay in the first seconds of the fan-out (2026-11-29), a lag that bare servers, which make their
# events themselves, never had. PUBLISH_FROM=connect publishes from before the first client connects instead, as the
# bare servers broadcast from their start: the server then warms up while its load grows, as a relay does when its
# clients come back after a deploy (a client counts gaps and repeats from the first event it gets).
load_with_publisher() {
  local seconds="$1"; shift
  if [[ "${PUBLISH_FROM:-live}" == connect ]]; then
    seconds=$((seconds + 600)) # stopped when the clients are done, however long they took to connect
  fi
  local publish=()
  while [[ "$1" != "--" ]]; do publish+=("$1"); shift; done
  shift
  local err="$logs/load.err" go="$logs/publish.go"
  : > "$err"
  rm -f "$go"
  java -Xms128m -Xmx512m -jar "$tools_jar" bench publish --duration "$seconds" --start-when "$go" "${publish[@]}" \
    > "$logs/publish.out" 2>&1 &
  local publish_pid=$!
  [[ "${PUBLISH_FROM:-live}" == connect ]] && touch "$go"
  load "$@" 2> >(tee "$err" >&2) &
  local load_pid=$!
  for _ in $(seq 1 2400); do
    grep -q '^live:' "$err" && break
    kill -0 "$load_pid" 2>/dev/null || break
    sleep 0.25
  done
  touch "$go"
  wait "$load_pid"
  kill "$publish_pid" 2>/dev/null || true
  wait "$publish_pid" 2>/dev/null || true
}

# process_memory PID: heap used after a full collection, and resident set size, in bytes.
process_memory() {
  jcmd "$1" GC.run >/dev/null
  local heap rss
  # G1 reports one heap line, the Parallel and Serial collectors one per generation: their sum.
  heap="$(jcmd "$1" GC.heap_info | sed -n 's/.*total [0-9]*K, used \([0-9]*\)K.*/\1/p' |
    awk '{ s += $1 } END { print s }')"
  rss="$(awk '/VmRSS/ {print $2}' "/proc/$1/status")"
  echo "$(( heap * 1024 )) $(( rss * 1024 ))"
}

# gnuplot_svg SVG TITLE: runs the gnuplot commands on standard input into an SVG chart, installing gnuplot if needed.
gnuplot_svg() {
  command -v gnuplot >/dev/null || { say "installing gnuplot for the plots"; apt-get install -y -q gnuplot-nox >&2; }
  { printf 'set terminal svg size 800,420 dynamic font "sans,12" noenhanced\nset output "%s"\nset title "%s"\n' \
      "$1" "$2"
    printf 'set yrange [0:*]\nset key top left\n'
    cat; } | gnuplot
}

# Clustered bars: the settings the bar charts share.
bars='set style data histograms
set style histogram cluster gap 1
set style fill solid 0.8 border -1
set grid ytics'

# plot_rates DAT SVG TITLE: delivered events a second per step and target, from 'bench report --dat'.
plot_rates() {
  gnuplot_svg "$2" "$3" <<PLOT
$bars
set ylabel "events delivered per second"
plot for [target in "relay undertow ws"] sprintf("< grep '^\"rate=' $1 | grep '\"%s\"'", target) using 3:xtic(1) title target
PLOT
}

# plot_latency SVG TITLE FILE LABEL [FILE LABEL...]: latency by percentile from HdrHistogram .hgrm files.
plot_latency() {
  local svg="$1" title="$2"; shift 2
  local series=""
  while [[ $# -ge 2 ]]; do
    [[ -s "$1" ]] && series+="${series:+, }\"< grep -E '^ +[0-9]' $1\" using 4:1 with lines lw 2 title \"$2\""
    shift 2
  done
  gnuplot_svg "$svg" "$title" <<PLOT
set logscale x
set xtics ("50%%" 2, "90%%" 10, "99%%" 100, "99.9%%" 1000, "99.99%%" 10000)
set xlabel "percentile"
set ylabel "${PLOT_YLABEL:-latency (ms)}"
set grid
plot $series
PLOT
}

# plot_bars DAT SVG TITLE YLABEL: clustered bars, one cluster per row of DAT (a label, then numbers), one bar per
# column; DAT's first line names the columns.
plot_bars() {
  gnuplot_svg "$2" "$3" <<PLOT
$bars
set ylabel "$4"
set key autotitle columnheader
plot for [col=2:*] "$1" using col:xtic(1)
PLOT
}
