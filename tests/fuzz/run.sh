#!/usr/bin/env bash
# Runs libFuzzer targets for a fixed time each: tests/fuzz/run.sh BUILD_DIR SECONDS TARGET...
# Called by `make fuzz-smoke` and `make fuzz`. Each target first replays its committed corpus
# (tests/fuzz/corpus/<target>/, the regression inputs among it), then mutates for SECONDS. New
# inputs go to BUILD_DIR/fuzz/corpus/<target>/ (kept between runs, never committed); a crash
# leaves its input in BUILD_DIR/fuzz/artifacts/<target>/ and fails the run.
# Environment: FUZZ_RSS_MB (default 2048), FUZZ_NICE (default 10), FUZZ_TIMEOUT (seconds per
# input, default 10), FUZZ_ARGS (more libFuzzer flags).
set -uo pipefail

build=${1:?usage: run.sh BUILD_DIR SECONDS TARGET...}
seconds=${2:?usage: run.sh BUILD_DIR SECONDS TARGET...}
shift 2
here=$(cd "$(dirname "$0")" && pwd)
rss=${FUZZ_RSS_MB:-2048}
niceness=${FUZZ_NICE:-10}
timeout=${FUZZ_TIMEOUT:-10}
# Leaks are checked too; UBSan findings stop the run like crashes.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

failed=()
summary=()
for t in "$@"; do
  exe="$build/tests/fuzz/fuzz_$t"
  if [ ! -x "$exe" ]; then
    echo "run.sh: $exe is not built" >&2
    exit 2
  fi
  work="$build/fuzz/corpus/$t"
  artifacts="$build/fuzz/artifacts/$t"
  log="$build/fuzz/$t.log"
  mkdir -p "$work" "$artifacts"
  dict=()
  [ -f "$here/$t.dict" ] && dict=(-dict="$here/$t.dict")
  echo "== fuzz_$t: ${seconds}s (log: $log)"
  # shellcheck disable=SC2086
  nice -n "$niceness" "$exe" -max_total_time="$seconds" -rss_limit_mb="$rss" -timeout="$timeout" \
    -max_len=4096 -print_final_stats=1 -artifact_prefix="$artifacts/" "${dict[@]}" ${FUZZ_ARGS:-} \
    "$work" "$here/corpus/$t" >"$log" 2>&1
  status=$?
  # The last status line ("#N DONE cov: .. ft: .. corp: ..") and the executions count.
  last=$(grep -aE '^#[0-9]+' "$log" | tail -n 1)
  execs=$(grep -aE '^stat::number_of_executed_units' "$log" | awk '{print $2}')
  line="fuzz_$t: exit $status, ${execs:-?} executions, ${last#* }"
  summary+=("$line")
  if [ $status -ne 0 ]; then
    failed+=("$t")
    echo "-- fuzz_$t FAILED; the end of its log:" >&2
    tail -n 40 "$log" >&2
  fi
done

echo "== summary"
printf '%s\n' "${summary[@]}"
if [ ${#failed[@]} -ne 0 ]; then
  echo "fuzzing found problems in: ${failed[*]} (inputs in $build/fuzz/artifacts/)" >&2
  exit 1
fi
