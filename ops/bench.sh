#!/usr/bin/env bash
# Side-by-side benchmarks: the services under load next to PostgreSQL running exactly the SQL the
# services send, and next to the least SQL that does the same work (the physical limit), on a
# fresh, durable local stack built for release.
set -euo pipefail

usage() {
  cat <<'USAGE'
usage: ops/bench.sh [--duration SECONDS] [--clients N] [--stats-cases N | --no-stats]
                   [--chain-rows N | --no-chain] [--out FILE]

Builds the release binaries (build-release/), starts a fresh stack in build-release/bench-stack
(its own PostgreSQL, durable: fsync, synchronous_commit and full_page_writes on, checked and
printed; ports 52051-52054), and then, in one run:
  1. start-up: how long consular-cases takes from exec to serving (median of 5 starts);
  2. captures from PostgreSQL's statement log the transaction of one CreateCase, one GetCase and
     one ListCases, and turns each into a pgbench script (ops/bench/pgbench_from_log.py); for
     CreateCase and GetCase also the minimal equivalent (--minimal): get = the case read by its
     primary key and the audit row's INSERT, create = only the INSERTs of the case, its event,
     the idempotency record and the audit row, each in one transaction;
  3. for create, get and list: consular-loadgen with N clients for the duration, sampling the
     resident memory of consular-cases (create and get again paced at half the throughput just
     measured), then pgbench with N clients running the captured transaction, prepared, against
     the same database for the same duration as the service's role (create and get also paced at
     that half rate); for create and get then pgbench running the minimal equivalent the same
     way (saturated and paced) as the superuser, untouched by row-level security: what
     PostgreSQL itself can do;
  4. the officer's mix and statistics through the services only;
  5. the micro-benchmarks (Google Benchmark);
  6. with the stack stopped, the statistics benchmark (ops/bench-stats.sh --sealed --verify
     --recount-iterations 20 --cases N: a fresh cluster, N cases loaded by consular-datagen's bulk
     loader sealed with real keys (the load time is datagen's), rollups rebuilt and verified,
     GetCountryStatistics next to the plain GROUP BY; about 30 minutes at 1,000,000);
  7. with the stack stopped, the audit chain's verification (ops/bench-chain.sh --rows N):
     VerifyChain after 1,000 new rows on N chained rows;
  8. with the stack stopped, the hostile flood (ops/bench-flood.sh): consular-cases' memory under
     unauthenticated streams from a client that never acknowledges SETTINGS, and silent
     connections;
and prints a table with throughput, latency percentiles, service / pgbench ratios and the targets,
also written to FILE (default build-release/bench-results.txt) with the raw JSON beside it.
Defaults: --duration 20, --clients 32, --stats-cases 1000000, --chain-rows 10000000; --no-stats
leaves out step 6, --no-chain step 7.
Environment: CONSULAR_CASES_PORT, CONSULAR_AUDIT_PORT, CONSULAR_CONTACTS_PORT,
CONSULAR_STATS_PORT (defaults 52051-52054), CONSULAR_WEB_PORT (ops/stack.sh's, default 8443)
and CONSULAR_BENCH_STARTUP_PORT (default 52059, the start-up runs) move the ports, e.g. when
another stack uses them.
Needs root or sudo for ops/install-deps.sh only.
USAGE
}

DURATION=20
CLIENTS=32
STATS_CASES=1000000
CHAIN_ROWS=10000000
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD_DIR=${CONSULAR_BUILD_DIR:-$ROOT/build-release}
OUT=$BUILD_DIR/bench-results.txt
while [[ $# -gt 0 ]]; do
  case "$1" in
    --duration) DURATION=$2; shift 2 ;;
    --clients) CLIENTS=$2; shift 2 ;;
    --stats-cases) STATS_CASES=$2; shift 2 ;;
    --no-stats) STATS_CASES=0; shift ;;
    --chain-rows) CHAIN_ROWS=$2; shift 2 ;;
    --no-chain) CHAIN_ROWS=0; shift ;;
    --out) OUT=$2; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; exit 2 ;;
  esac
done

OPS=$ROOT/ops
"$OPS/install-deps.sh"
command -v pgbench >/dev/null || { echo "bench.sh: pgbench not found (postgresql-contrib)" >&2; exit 1; }
CONSULAR_BUILD_DIR=$BUILD_DIR "$OPS/build.sh" --release consular-cases consular-audit \
  consular-contacts consular-stats consular-web consular-migrate consularctl consular-loadgen \
  micro_bench stats_bench

export CONSULAR_BUILD_DIR=$BUILD_DIR
export CONSULAR_STACK_DIR=$BUILD_DIR/bench-stack
export CONSULAR_STACK_PG_DIR=$BUILD_DIR/bench-stack/pg
export CONSULAR_CASES_PORT=${CONSULAR_CASES_PORT:-52051}
export CONSULAR_AUDIT_PORT=${CONSULAR_AUDIT_PORT:-52052}
export CONSULAR_CONTACTS_PORT=${CONSULAR_CONTACTS_PORT:-52053}
export CONSULAR_STATS_PORT=${CONSULAR_STATS_PORT:-52054}
STARTUP_PORT=${CONSULAR_BENCH_STARTUP_PORT:-52059}
# Durable, as in production: every commit waits for its WAL flush, the services' and pgbench's
# alike (checked below).
export CONSULAR_STACK_PG_DURABLE=1
RAW=$BUILD_DIR/bench-raw
"$OPS/stack.sh" down >/dev/null 2>&1 || true
rm -rf "$CONSULAR_STACK_DIR" "$RAW"
mkdir -p "$RAW"
"$OPS/stack.sh" up >"$RAW/stack-up.log"
# shellcheck source=/dev/null
source "$CONSULAR_STACK_DIR/env"
stop_stack() { "$OPS/stack.sh" down >/dev/null 2>&1 || true; }
trap stop_stack EXIT

CERTS=$CONSULAR_STACK_DIR/certs
ADMIN_DSN=$("$OPS/pg.sh" dsn "$CONSULAR_STACK_PG_DIR")
SUPER_DSN=${ADMIN_DSN/%dbname=postgres/dbname=consular}
APP_DSN=${ADMIN_DSN/%user=postgres dbname=postgres/user=consular_app dbname=consular}
PG_LOG=$CONSULAR_STACK_PG_DIR/postgres.log
CTL=$BUILD_DIR/tools/consularctl/consularctl
LOADGEN=$BUILD_DIR/tools/loadgen/consular-loadgen
psql_super() { psql "$SUPER_DSN" -X -q -tA -v ON_ERROR_STOP=1 -c "$1"; }

# The durability every figure of steps 1-5 is measured with, as the server reports it.
DURABILITY=$(for setting in fsync synchronous_commit full_page_writes; do
  echo "$setting=$(psql_super "SHOW $setting")"
done | paste -sd ' ')
echo "== PostgreSQL of the stack: $DURABILITY" | tee "$RAW/durability.txt"
if [[ $DURABILITY != "fsync=on synchronous_commit=on full_page_writes=on" ]]; then
  echo "bench.sh: the stack's PostgreSQL is not durable ($DURABILITY)" >&2
  exit 1
fi

echo "== machine: $(nproc) cores, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -n 1)," \
  "$(awk '/MemTotal/ { printf "%.1f GB", $2 / 1048576 }' /proc/meminfo) RAM" | tee "$RAW/machine.txt"

# -- 1. start-up: exec to "listening on", a second consular-cases on a spare port
echo "== start-up"
STARTS=()
for i in 1 2 3 4 5; do
  log=$RAW/startup-$i.log
  t0=$(date +%s%N)
  "$BUILD_DIR/services/cases/consular-cases" --listen "127.0.0.1:$STARTUP_PORT" --dsn "$APP_DSN" \
    --tls-cert "$CERTS/server.pem" --tls-key "$CERTS/server.key" \
    --token-public-keys "$CERTS/token-public.pem" \
    --field-keys "$CERTS/field-keys" --blind-index-key "$CERTS/blind-index.key" >"$log" 2>&1 &
  pid=$!
  until grep -q "listening on" "$log" 2>/dev/null; do
    kill -0 "$pid" 2>/dev/null || { cat "$log" >&2; exit 1; }
    sleep 0.005
  done
  t1=$(date +%s%N)
  STARTS+=($(( (t1 - t0) / 1000000 )))
  kill -TERM "$pid"; wait "$pid" || true
done
STARTUP_MS=$(printf '%s\n' "${STARTS[@]}" | sort -n | sed -n 3p)
echo "start-up (ms): ${STARTS[*]} -> median $STARTUP_MS"

# -- 2. capture the SQL of one CreateCase, GetCase and ListCases
echo "== capturing the SQL of one call of each"
export CONSULAR_TOKEN
CONSULAR_TOKEN=$("$CTL" dev token --role officer --post RABAT --key "$CERTS/token-signing.pem")
# Every statement, and the text of every statement a connection prepares (the services send the
# rows written at the end as EXECUTEs of prepared statements with COMMIT; the generator needs their
# text): on before the services' connections prepare anything for cases.
psql_super "ALTER SYSTEM SET log_statement = 'all'" &&
  psql_super "ALTER SYSTEM SET log_min_duration_statement = 0" &&
  psql_super "SELECT pg_reload_conf()" >/dev/null
sleep 0.5
# Cases for the reads, through the services (the same content generator as the load).
"$LOADGEN" --scenario create --count 200 --concurrency 4 --country-weights MA \
  --token-key "$CERTS/token-signing.pem" >"$RAW/seed.txt"
CAPTURE_ID=bench-capture-$$
"$CTL" case create --type abandonment --country MA --name "Bench Capture" --sex female \
  --nationality dual --referral family --flag passport-withheld --request-id "$CAPTURE_ID" --json \
  >"$RAW/capture-case.json"
CASE_ID=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["id"])' "$RAW/capture-case.json")
CASE_REF=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["reference"])' "$RAW/capture-case.json")
"$CTL" case get "$CASE_ID" >/dev/null
"$CTL" case list --post RABAT --page-size 50 >/dev/null
sleep 0.5
psql_super "ALTER SYSTEM RESET log_statement" &&
  psql_super "ALTER SYSTEM RESET log_min_duration_statement" &&
  psql_super "SELECT pg_reload_conf()" >/dev/null

GEN=$OPS/bench/pgbench_from_log.py
python3 "$GEN" "$PG_LOG" "$CAPTURE_ID" \
  --unique "$CAPTURE_ID=('pgb-' || :client_id || '-' || :n)" \
  --unique "$CASE_ID=md5('pgb-' || :client_id || '-' || :n)::uuid::text" \
  --unique "$CASE_REF=('PGB-' || :client_id || '-' || :n)" >"$RAW/create.sql"
# The read of the captured case (pgbench reads that one case; the load reads a few hundred, all
# cached alike).
python3 "$GEN" "$PG_LOG" "CaseService.GetCase" >"$RAW/get.sql"
python3 "$GEN" "$PG_LOG" "CaseService.ListCases" >"$RAW/list.sql"
# The minimal equivalents: the same rows written (and the same case read) with nothing else.
python3 "$GEN" "$PG_LOG" "$CAPTURE_ID" --minimal create \
  --unique "$CAPTURE_ID=('pgb-' || :client_id || '-' || :n)" \
  --unique "$CASE_ID=md5('pgb-' || :client_id || '-' || :n)::uuid::text" \
  --unique "$CASE_REF=('PGB-' || :client_id || '-' || :n)" >"$RAW/create-minimal.sql"
python3 "$GEN" "$PG_LOG" "CaseService.GetCase" --minimal get >"$RAW/get-minimal.sql"

# -- 3. each scenario through the service, then pgbench with its SQL
loadgen_figures() {  # FILE: "throughput p50 p99" of a consular-loadgen --json report
  python3 -c 'import json,sys
r = json.load(open(sys.argv[1]))
print(r["throughput_rps"], r["latency_ms"]["p50"], r["latency_ms"]["p99"])' "$1"
}
RSS_PEAK=0
sample_rss() {  # PID: the peak resident set (kB) while the load runs, into $RAW/rss-<pid>
  local pid=$1 peak=0 rss
  while kill -0 "$pid" 2>/dev/null && [[ ! -f $RAW/stop-rss ]]; do
    rss=$(ps -o rss= -p "$pid" 2>/dev/null | tr -d ' ' || echo 0)
    [[ -n $rss && $rss -gt $peak ]] && peak=$rss
    echo "$peak" >"$RAW/rss-peak"
    sleep 0.5
  done
}
CASES_PID=$(cat "$CONSULAR_STACK_DIR/cases.pid")
declare -A SVC_RPS SVC_P50 SVC_P99 PGB_TPS PACED_RATE PACED_P50 PACED_P99 PGB_PACED_P50 \
  PGB_PACED_P99 MIN_TPS MIN_PACED_P50 MIN_PACED_P99

pgbench_saturated() {  # SCRIPT DSN: "tps latency-average" of pgbench running $RAW/SCRIPT.sql
  local name=$1 dsn=$2 out=$RAW/pgbench-$1.txt tps lat
  pgbench -n -M prepared -c "$CLIENTS" -j 2 -T "$DURATION" -f "$RAW/$name.sql" "$dsn" \
    >"$out" 2>&1 || { cat "$out" >&2; exit 1; }
  # pgbench reports failed transactions without failing itself: a script that does not run
  # must not pass for a fast one.
  if grep -qE '^number of failed transactions: [1-9]' "$out" \
      || ! grep -qE '^number of transactions actually processed: [1-9]' "$out"; then
    cat "$out" >&2; exit 1
  fi
  tps=$(sed -n 's/^tps = \([0-9.]*\).*/\1/p' "$out" | head -n 1)
  lat=$(sed -n 's/^latency average = \([0-9.]*\) ms/\1/p' "$out")
  echo "$tps $lat"
}

# pgbench paced at RATE, every transaction logged: its latency percentiles, counted like the load
# generator's from each transaction's scheduled start (time + schedule lag) and after the same
# 3 s warm-up (its clients connect and prepare at the start), are what PostgreSQL alone gives at
# that rate.
pgbench_paced() {  # SCRIPT DSN RATE: "p50 p99" in ms
  local name=$1 dsn=$2 rate=$3 out=$RAW/pgbench-$1-paced.txt
  rm -f "$RAW/pgbench-$name-paced-log".*
  pgbench -n -M prepared -c "$CLIENTS" -j 2 -T "$((DURATION + 3))" -R "$rate" \
    --log --log-prefix="$RAW/pgbench-$name-paced-log" -f "$RAW/$name.sql" "$dsn" \
    >"$out" 2>&1 || { cat "$out" >&2; exit 1; }
  cat "$RAW/pgbench-$name-paced-log".* | python3 -c 'import sys
rows = [f for f in (line.split() for line in sys.stdin) if len(f) >= 6]
start = min(int(f[4]) + int(f[5]) / 1e6 for f in rows)
lat = sorted((int(f[2]) + (int(f[6]) if len(f) > 6 else 0)) / 1000.0
             for f in rows if int(f[4]) + int(f[5]) / 1e6 >= start + 3)
pick = lambda q: lat[min(len(lat) - 1, int(q * len(lat)))]
print("%.2f %.2f" % (pick(0.50), pick(0.99)))'
}

for scenario in create get list; do
  echo "== $scenario: consular-loadgen, $CLIENTS clients, ${DURATION}s"
  rm -f "$RAW/stop-rss"
  sample_rss "$CASES_PID" &
  sampler=$!
  "$LOADGEN" --scenario "$scenario" --concurrency "$CLIENTS" --duration "${DURATION}s" \
    --warmup 3s --country-weights MA --setup-cases 200 \
    --token-key "$CERTS/token-signing.pem" --json >"$RAW/loadgen-$scenario.json"
  touch "$RAW/stop-rss"
  wait "$sampler" || true
  peak=$(cat "$RAW/rss-peak")
  (( peak > RSS_PEAK )) && RSS_PEAK=$peak
  read -r rps p50 p99 < <(loadgen_figures "$RAW/loadgen-$scenario.json")
  SVC_RPS[$scenario]=$rps SVC_P50[$scenario]=$p50 SVC_P99[$scenario]=$p99
  echo "   service: $rps req/s, p50 $p50 ms, p99 $p99 ms, consular-cases RSS peak $((peak / 1024)) MB"

  # The same clients paced at half that throughput (open loop: latency from each call's scheduled
  # time): the latency an officer sees while the service is busy but not saturated.
  if [[ $scenario != list ]]; then
    rate=$(python3 -c 'import sys; print(max(1, int(float(sys.argv[1]) / 2)))' "$rps")
    echo "== $scenario: consular-loadgen, $CLIENTS clients paced at $rate/s, ${DURATION}s"
    "$LOADGEN" --scenario "$scenario" --concurrency "$CLIENTS" --rate "$rate" \
      --duration "${DURATION}s" --warmup 3s --country-weights MA --setup-cases 200 \
      --token-key "$CERTS/token-signing.pem" --json >"$RAW/loadgen-$scenario-paced.json"
    read -r prps pp50 pp99 < <(loadgen_figures "$RAW/loadgen-$scenario-paced.json")
    PACED_RATE[$scenario]=$rate PACED_P50[$scenario]=$pp50 PACED_P99[$scenario]=$pp99
    echo "   paced: $prps req/s, p50 $pp50 ms, p99 $pp99 ms"
  fi

  echo "== $scenario: pgbench, $CLIENTS clients, ${DURATION}s, the same transaction"
  figures=$(pgbench_saturated "$scenario" "$APP_DSN")
  read -r tps lat <<<"$figures"
  PGB_TPS[$scenario]=$tps
  echo "   pgbench: $tps tps, latency average $lat ms"
  if [[ -n ${PACED_RATE[$scenario]:-} ]]; then
    echo "== $scenario: pgbench, $CLIENTS clients paced at ${PACED_RATE[$scenario]}/s, ${DURATION}s"
    figures=$(pgbench_paced "$scenario" "$APP_DSN" "${PACED_RATE[$scenario]}")
    read -r gp50 gp99 <<<"$figures"
    PGB_PACED_P50[$scenario]=$gp50 PGB_PACED_P99[$scenario]=$gp99
    echo "   pgbench paced: p50 $gp50 ms, p99 $gp99 ms"
  fi

  # The minimal equivalent, as the superuser (no row-level security, no scope): the physical
  # limit of this database on this machine for the same rows.
  if [[ -f $RAW/$scenario-minimal.sql ]]; then
    echo "== $scenario: pgbench, $CLIENTS clients, ${DURATION}s, the minimal equivalent" \
      "(superuser, no row-level security)"
    figures=$(pgbench_saturated "$scenario-minimal" "$SUPER_DSN")
    read -r tps lat <<<"$figures"
    MIN_TPS[$scenario]=$tps
    echo "   pgbench minimal: $tps tps, latency average $lat ms"
    echo "== $scenario: pgbench, $CLIENTS clients paced at ${PACED_RATE[$scenario]}/s," \
      "${DURATION}s, the minimal equivalent"
    figures=$(pgbench_paced "$scenario-minimal" "$SUPER_DSN" "${PACED_RATE[$scenario]}")
    read -r gp50 gp99 <<<"$figures"
    MIN_PACED_P50[$scenario]=$gp50 MIN_PACED_P99[$scenario]=$gp99
    echo "   pgbench minimal paced: p50 $gp50 ms, p99 $gp99 ms"
  fi
done

# -- 4. through the services only
for scenario in mix stats; do
  echo "== $scenario: consular-loadgen, $CLIENTS clients, ${DURATION}s"
  "$LOADGEN" --scenario "$scenario" --concurrency "$CLIENTS" --duration "${DURATION}s" \
    --warmup 3s --country-weights MA --setup-cases 200 \
    --token-key "$CERTS/token-signing.pem" --json >"$RAW/loadgen-$scenario.json"
  read -r rps p50 p99 < <(loadgen_figures "$RAW/loadgen-$scenario.json")
  SVC_RPS[$scenario]=$rps SVC_P50[$scenario]=$p50 SVC_P99[$scenario]=$p99
done

# -- 5. micro-benchmarks
echo "== micro-benchmarks"
"$BUILD_DIR/tests/bench/micro_bench" --benchmark_min_time=0.2 >"$RAW/micro.txt" 2>&1

# -- 6. statistics at scale, alone on the machine
if (( STATS_CASES > 0 )); then
  stop_stack
  echo "== statistics: ops/bench-stats.sh with $STATS_CASES cases (load, rebuild, verify, measure)"
  "$OPS/bench-stats.sh" --cases "$STATS_CASES" --sealed --verify --recount-iterations 20 \
    >"$RAW/stats.txt" 2>&1 || { tail -n 40 "$RAW/stats.txt" >&2; exit 1; }
fi

# -- 7. the audit chain's verification at scale, alone on the machine
CHAIN_STATUS="not run (--no-chain)"
if (( CHAIN_ROWS > 0 )); then
  if [[ -x $OPS/bench-chain.sh ]]; then
    stop_stack
    echo "== audit chain: ops/bench-chain.sh --rows $CHAIN_ROWS"
    if "$OPS/bench-chain.sh" --build-dir "$BUILD_DIR" --rows "$CHAIN_ROWS" >"$RAW/chain.txt" 2>&1
    then
      CHAIN_STATUS=ran
    else
      CHAIN_STATUS="failed (exit $?)"
      tail -n 40 "$RAW/chain.txt" >&2
    fi
  else
    CHAIN_STATUS="not run (no ops/bench-chain.sh)"
  fi
fi

# -- 8. the hostile flood, alone on the machine
stop_stack
echo "== hostile flood: ops/bench-flood.sh"
"$OPS/bench-flood.sh" --build-dir "$BUILD_DIR" >"$RAW/flood.txt" 2>&1 \
  || { tail -n 40 "$RAW/flood.txt" >&2; exit 1; }

# -- results
ratio() { python3 -c 'import sys; print("%.0f%%" % (100 * float(sys.argv[1]) / float(sys.argv[2])))' "$1" "$2"; }
verdict() { python3 -c 'import sys; print("met" if eval(sys.argv[1]) else "MISSED")' "$1"; }
thousands() { python3 -c 'import sys; print("{:,}".format(int(sys.argv[1])))' "$1"; }

# The last "verify-chain: rows=... new=... repeat=... p50_ms=... max_ms=... full_ms=..." line of
# ops/bench-chain.sh: "rows new p50_ms max_ms full_ms", or nothing.
chain_figures() {  # FILE
  python3 - "$1" <<'PY'
import re, sys
line = None
with open(sys.argv[1], errors="replace") as f:
    for text in f:
        if text.startswith("verify-chain:"):
            line = text
fields = dict(re.findall(r"(\w+)=([0-9.]+)", line or ""))
if all(k in fields for k in ("rows", "new", "p50_ms")):
    print(fields["rows"], fields["new"], fields["p50_ms"], fields.get("max_ms", "-"),
          fields.get("full_ms", "-"))
PY
}

# The "| d. ListCountries over gRPC ... | n | p50 ms | ..." row of ops/bench-stats.sh: "n p50", or
# nothing.
list_countries_figures() {  # FILE
  python3 - "$1" <<'PY'
import re, sys
found = None
with open(sys.argv[1], errors="replace") as f:
    for text in f:
        if re.match(r"^\|\s*d\.\s*`?ListCountries`?\s+over gRPC", text):
            cells = [c.strip().replace(",", "") for c in text.strip().strip("|").split("|")]
            try:
                found = (int(cells[1]), float(cells[2]))
            except (IndexError, ValueError):
                pass
if found:
    print(found[0], found[1])
PY
}

chain_target() {
  local label="VerifyChain p50 <= 100 ms after 1,000 new rows"
  (( CHAIN_ROWS > 0 )) && label+=" on $(thousands "$CHAIN_ROWS") rows"
  if [[ $CHAIN_STATUS != ran ]]; then
    if [[ $CHAIN_STATUS == failed* ]]; then
      echo "  $label: ops/bench-chain.sh $CHAIN_STATUS, see bench-raw/chain.txt MISSED"
    else
      echo "  $label: $CHAIN_STATUS"
    fi
    return
  fi
  local rows new p50 max full
  read -r rows new p50 max full < <(chain_figures "$RAW/chain.txt") || true
  if [[ -z ${p50:-} ]]; then
    echo "  $label: not measured (no verify-chain line in bench-raw/chain.txt)"
    return
  fi
  label="VerifyChain p50 <= 100 ms after $(thousands "$new") new rows on $(thousands "$rows") rows"
  echo "  $label: $p50 ms (max $max ms; full verification $full ms) $(verdict "$p50 <= 100")"
}

list_countries_target() {
  local label n p50
  if (( STATS_CASES == 0 )); then
    echo "  ListCountries p50 <= 20 ms: not run (--no-stats)"
    return
  fi
  label="ListCountries p50 <= 20 ms at $(thousands "$STATS_CASES") cases"
  read -r n p50 < <(list_countries_figures "$RAW/stats.txt") || true
  if [[ -z ${p50:-} ]]; then
    echo "  $label: not measured"
    return
  fi
  echo "  $label: $p50 ms over gRPC ($n requests) $(verdict "$p50 <= 20")"
}

{
  cat "$RAW/machine.txt"
  echo "run: $(date -u +%FT%TZ), $CLIENTS clients, ${DURATION}s per scenario, TLS and real tokens"
  echo "PostgreSQL of the stack (SHOW fsync; SHOW synchronous_commit; SHOW full_page_writes):" \
    "$DURABILITY"
  echo "captured: pgbench running the captured transaction as the service's role (consular_app," \
    "row-level security on)"
  echo "minimal: pgbench running the minimal equivalent as the superuser (postgres, no row-level" \
    "security): what PostgreSQL itself can do"
  echo
  printf '%-8s %10s %8s %8s %13s %9s %12s %9s\n' scenario "service/s" "p50 ms" "p99 ms" \
    "captured tps" "/captured" "minimal tps" "/minimal"
  for scenario in create get list; do
    if [[ -n ${MIN_TPS[$scenario]:-} ]]; then
      min_tps=$(printf '%.1f' "${MIN_TPS[$scenario]}")
      min_ratio=$(ratio "${SVC_RPS[$scenario]}" "${MIN_TPS[$scenario]}")
    else
      min_tps=- min_ratio=-
    fi
    printf '%-8s %10.1f %8.2f %8.2f %13.1f %9s %12s %9s\n' "$scenario" "${SVC_RPS[$scenario]}" \
      "${SVC_P50[$scenario]}" "${SVC_P99[$scenario]}" "${PGB_TPS[$scenario]}" \
      "$(ratio "${SVC_RPS[$scenario]}" "${PGB_TPS[$scenario]}")" "$min_tps" "$min_ratio"
  done
  for scenario in mix stats; do
    printf '%-8s %10.1f %8.2f %8.2f %13s %9s %12s %9s\n' "$scenario" "${SVC_RPS[$scenario]}" \
      "${SVC_P50[$scenario]}" "${SVC_P99[$scenario]}" - - - -
  done
  echo
  echo "paced at half the saturated throughput, $CLIENTS clients (latency from the scheduled start):"
  printf '%-8s %7s %12s %12s %13s %13s %12s %12s\n' scenario "rate/s" "service p50" "service p99" \
    "captured p50" "captured p99" "minimal p50" "minimal p99"
  for scenario in create get; do
    printf '%-8s %7s %12.2f %12.2f %13.2f %13.2f %12.2f %12.2f\n' "$scenario" \
      "${PACED_RATE[$scenario]}" "${PACED_P50[$scenario]}" "${PACED_P99[$scenario]}" \
      "${PGB_PACED_P50[$scenario]}" "${PGB_PACED_P99[$scenario]}" \
      "${MIN_PACED_P50[$scenario]}" "${MIN_PACED_P99[$scenario]}"
  done
  echo
  echo "targets:"
  printf '  GetCase >= 40%% of minimal equivalent: %s (%.1f against %.1f per second) %s\n' \
    "$(ratio "${SVC_RPS[get]}" "${MIN_TPS[get]}")" "${SVC_RPS[get]}" "${MIN_TPS[get]}" \
    "$(verdict "${SVC_RPS[get]} >= 0.4 * ${MIN_TPS[get]}")"
  printf '  CreateCase >= 40%% of minimal equivalent: %s (%.1f against %.1f per second) %s\n' \
    "$(ratio "${SVC_RPS[create]}" "${MIN_TPS[create]}")" "${SVC_RPS[create]}" \
    "${MIN_TPS[create]}" "$(verdict "${SVC_RPS[create]} >= 0.4 * ${MIN_TPS[create]}")"
  for scenario in get create; do
    printf '  %s p99 <= 20 ms at half the saturated rate (%s/s): %.1f ms %s\n' \
      "$([[ $scenario == get ]] && echo GetCase || echo CreateCase)" "${PACED_RATE[$scenario]}" \
      "${PACED_P99[$scenario]}" "$(verdict "${PACED_P99[$scenario]} <= 20")"
  done
  echo "  RSS <= 200 MB under load: $((RSS_PEAK / 1024)) MB $(verdict "$RSS_PEAK <= 200 * 1024")"
  echo "  start to serving <= 1 s: $STARTUP_MS ms $(verdict "$STARTUP_MS <= 1000")"
  chain_target
  list_countries_target
  echo "information, not targets:"
  for scenario in get create; do
    printf '  %s p99, %s clients saturating it: %.1f ms\n' \
      "$([[ $scenario == get ]] && echo GetCase || echo CreateCase)" "$CLIENTS" \
      "${SVC_P99[$scenario]}"
  done
  echo
  echo "micro-benchmarks:"
  cat "$RAW/micro.txt"
  echo
  echo "hostile flood (ops/bench-flood.sh):"
  tail -n 3 "$RAW/flood.txt"
  if [[ -f $RAW/chain.txt ]]; then
    echo
    echo "audit chain (ops/bench-chain.sh):"
    grep -v -e '^\[[0-9]*/[0-9]*\]' -e '^ninja:' "$RAW/chain.txt" | tail -n 20
  fi
  if [[ -f $RAW/stats.txt ]]; then
    echo
    echo "statistics at $STATS_CASES cases (ops/bench-stats.sh; build output left out):"
    grep -v -e '^\[[0-9]*/[0-9]*\]' -e '^ninja:' "$RAW/stats.txt"
  fi
} | tee "$OUT"
echo "raw results: $RAW"
if [[ $CHAIN_STATUS == failed* ]]; then
  echo "bench.sh: ops/bench-chain.sh failed; see $RAW/chain.txt" >&2
  exit 1
fi
