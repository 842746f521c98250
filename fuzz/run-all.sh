#!/usr/bin/env bash
# Builds and runs every cargo-fuzz target for SECONDS each; exits non-zero if any crashed.
#
#   fuzz/run-all.sh SECONDS [TARGET...]
#
# Works from a clean clone with a stable toolchain: installs cargo-fuzz if it is missing
# and sets RUSTC_BOOTSTRAP=1 for the sanitizer flags. Each target reads the committed
# seeds (fuzz/seeds/<target>/, read-only) and keeps what it learns in fuzz/corpus/<target>/
# (git-ignored); a crash is saved in fuzz/artifacts/<target>/. The last line of each run
# (execs/s, cov:) is summarised at the end.
#
# Environment: FUZZ_SANITIZER (default: address; "none" builds and runs ~2x faster),
# FUZZ_JOBS_ARGS (extra libFuzzer flags, e.g. "-jobs=2 -workers=2").
set -euo pipefail

if [[ $# -lt 1 || ! $1 =~ ^[0-9]+$ ]]; then
    echo "usage: $0 SECONDS [TARGET...]" >&2
    exit 2
fi
seconds=$1
shift

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
export RUSTC_BOOTSTRAP=1
sanitizer=${FUZZ_SANITIZER:-address}

if ! command -v cargo-fuzz >/dev/null 2>&1; then
    echo "== installing cargo-fuzz"
    cargo install cargo-fuzz --locked
fi

if [[ $# -gt 0 ]]; then
    targets=("$@")
else
    mapfile -t targets < <(cargo fuzz list)
fi

echo "== building ${targets[*]} (sanitizer: $sanitizer)"
start=$(date +%s)
for t in "${targets[@]}"; do
    cargo fuzz build --sanitizer "$sanitizer" "$t"
done
echo "== build took $(($(date +%s) - start)) s"

logs=$(mktemp -d)
failed=()
for t in "${targets[@]}"; do
    mkdir -p "fuzz/corpus/$t" "fuzz/seeds/$t"
    echo "== $t for ${seconds}s"
    # shellcheck disable=SC2086 # FUZZ_JOBS_ARGS is a list of flags
    if ! cargo fuzz run --sanitizer "$sanitizer" "$t" \
        "$root/fuzz/corpus/$t" "$root/fuzz/seeds/$t" -- \
        -max_total_time="$seconds" -timeout=10 -dict="$root/fuzz/resp.dict" \
        -print_final_stats=1 ${FUZZ_JOBS_ARGS:-} >"$logs/$t.log" 2>&1; then
        failed+=("$t")
        tail -n 60 "$logs/$t.log"
    fi
done

echo "== summary (${seconds}s per target)"
for t in "${targets[@]}"; do
    done_line=$(grep -E '^#[0-9]+[[:space:]]+DONE' "$logs/$t.log" | tail -n 1 || true)
    echo "$t: ${done_line:-no DONE line (crashed?)}"
done
if [[ ${#failed[@]} -gt 0 ]]; then
    echo "== CRASHED: ${failed[*]} (inputs in fuzz/artifacts/, logs in $logs)" >&2
    exit 1
fi
echo "== no crash"
