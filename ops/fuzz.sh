#!/usr/bin/env bash
# Builds the libFuzzer targets of tests/fuzz with clang and runs each for a while, from its
# committed corpus. Prints, per target, how many inputs ran, how fast, and the coverage reached.
set -euo pipefail

usage() {
  cat <<'USAGE'
usage: ops/fuzz.sh [--seconds N] [--jobs N] [--no-build] [TARGET...]

Builds the fuzz targets (tests/fuzz, CMake option CONSULAR_FUZZ: clang with libFuzzer,
AddressSanitizer and UndefinedBehaviorSanitizer) into build-fuzz/ (or $CONSULAR_BUILD_DIR), then
runs each TARGET (default: all) for N seconds (default 60), --jobs of them at a time (default 2).
Each starts from its committed inputs, tests/fuzz/corpus/TARGET/, which it never changes; what it
finds new goes to BUILD/fuzz-corpus/TARGET/ and is reused by the next run in the same folder.
  --seconds N   run each target this long (e.g. 3600 for a long run)
  --jobs N      targets run at once (one core each)
  --no-build    use the fuzzers already built
Exit status 1 if any target crashed, leaked, timed out or failed a check: its input is saved as
BUILD/fuzz-crashes/TARGET/crash-* (reproduce: BUILD/tests/fuzz/TARGET_fuzzer FILE). Keep it as a
regression input in tests/fuzz/corpus/TARGET/ (fuzz_replay_test then runs it in every build),
and fix the code.
Environment: CONSULAR_BUILD_DIR, JOBS (build jobs, default 2), CC/CXX (default clang/clang++).
USAGE
}

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
seconds=60
jobs=2
build=1
targets=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --seconds) seconds=${2:?--seconds needs a number}; shift ;;
    --jobs) jobs=${2:?--jobs needs a number}; shift ;;
    --no-build) build=0 ;;
    -h|--help) usage; exit 0 ;;
    -*) usage >&2; exit 2 ;;
    *) targets+=("$1") ;;
  esac
  shift
done
[[ $seconds =~ ^[0-9]+$ && $seconds -gt 0 ]] || { echo "fuzz.sh: --seconds must be a positive number" >&2; exit 2; }
[[ $jobs =~ ^[0-9]+$ && $jobs -gt 0 ]] || { echo "fuzz.sh: --jobs must be a positive number" >&2; exit 2; }

export CONSULAR_BUILD_DIR=${CONSULAR_BUILD_DIR:-$ROOT/build-fuzz}
BUILD_DIR=$CONSULAR_BUILD_DIR
CORPUS=$ROOT/tests/fuzz/corpus
if [[ ${#targets[@]} -eq 0 ]]; then
  for dir in "$CORPUS"/*/; do targets+=("$(basename "$dir")"); done
fi

if (( build )); then
  # A new build folder is configured with clang; an existing one keeps its compiler.
  export CC=${CC:-clang} CXX=${CXX:-clang++}
  fuzzers=()
  for target in "${targets[@]}"; do fuzzers+=("${target}_fuzzer"); done
  "$ROOT/ops/build.sh" --fuzz "${fuzzers[@]}"
fi

# AddressSanitizer's report on a crash, with symbols; UBSan stops at the first finding (the build
# uses -fno-sanitize-recover=undefined) and prints a stack.
export ASAN_OPTIONS=${ASAN_OPTIONS:-symbolize=1:detect_stack_use_after_return=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

LOGS=$BUILD_DIR/fuzz-logs
rm -rf "$LOGS"
mkdir -p "$LOGS"

run_one() {  # TARGET: runs it, its output in $LOGS/TARGET.log; its exit status
  local target=$1
  local binary=$BUILD_DIR/tests/fuzz/${target}_fuzzer
  local work=$BUILD_DIR/fuzz-corpus/$target crashes=$BUILD_DIR/fuzz-crashes/$target
  [[ -x $binary ]] || { echo "fuzz.sh: $binary is not built" >"$LOGS/$target.log"; return 1; }
  [[ -d $CORPUS/$target ]] || { echo "fuzz.sh: no corpus $CORPUS/$target" >"$LOGS/$target.log"; return 1; }
  mkdir -p "$work" "$crashes"
  # -timeout: one input taking longer is a finding; -rss_limit_mb: so is memory use past 2 GiB.
  "$binary" "$work" "$CORPUS/$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="$crashes/" >"$LOGS/$target.log" 2>&1
}

echo "fuzz.sh: ${#targets[@]} targets, ${seconds} s each, ${jobs} at a time; logs in $LOGS"
pids=()
names=()
for target in "${targets[@]}"; do
  while [[ $(jobs -rp | wc -l) -ge $jobs ]]; do wait -n || true; done
  run_one "$target" &
  pids+=($!)
  names+=("$target")
done

failed=()
statuses=()
for i in "${!pids[@]}"; do
  status=0
  wait "${pids[$i]}" || status=$?
  statuses+=("$status")
  (( status == 0 )) || failed+=("${names[$i]}")
done

# The summary: from libFuzzer's last status line ("#N DONE cov: C ft: F corp: U/S ...") and its
# final statistics.
printf '\n%-16s %10s %8s %6s %7s %11s  %s\n' target executions exec/s cov features corpus result
for i in "${!names[@]}"; do
  target=${names[$i]}
  log=$LOGS/$target.log
  last=$(grep -E '^#[0-9]+' "$log" | tail -n 1 || true)
  execs=$(sed -n 's/^stat::number_of_executed_units: //p' "$log" | tail -n 1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: //p' "$log" | tail -n 1)
  cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
  ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
  corp=$(sed -n 's/.* corp: \([0-9]*\/[0-9A-Za-z]*\).*/\1/p' <<<"$last")
  if [[ ${statuses[$i]} -eq 0 ]]; then result=ok; else result="FAILED (see $log)"; fi
  printf '%-16s %10s %8s %6s %7s %11s  %s\n' "$target" "${execs:-?}" "${rate:-?}" "${cov:-?}" \
    "${ft:-?}" "${corp:-?}" "$result"
done

if [[ ${#failed[@]} -gt 0 ]]; then
  echo
  for target in "${failed[@]}"; do
    echo "== $target: the end of $LOGS/$target.log"
    tail -n 40 "$LOGS/$target.log"
    ls "$BUILD_DIR/fuzz-crashes/$target" 2>/dev/null | sed "s|^|   input: $BUILD_DIR/fuzz-crashes/$target/|"
  done
  echo "fuzz.sh: failed: ${failed[*]}" >&2
  exit 1
fi
