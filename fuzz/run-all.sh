#!/usr/bin/env bash
# Builds and runs cargo-fuzz targets.
#
#   fuzz/run-all.sh SECONDS [TARGET...]          short mode (CI): each target SECONDS,
#                                                stop at its first crash, non-zero if any
#   fuzz/run-all.sh --long SECONDS [TARGET...]   long mode (the nightly job): keep going
#                                                past crashes, OOMs and timeouts, collect
#                                                every distinct finding, minimise corpora
#
# Works from a clean clone with a stable toolchain: installs cargo-fuzz if it is missing
# and sets RUSTC_BOOTSTRAP=1 for the sanitizer flags. Each target reads the committed
# seeds (fuzz/seeds/<target>/, read-only) and keeps what it learns in fuzz/corpus/<target>/
# (git-ignored); findings are saved in fuzz/artifacts/<target>/. The last status line of
# each run (execs, cov:) is summarised at the end.
#
# Long mode runs libFuzzer with -fork=FUZZ_FORKS (default 1) and -ignore_crashes,
# -ignore_ooms, -ignore_timeouts, so one finding does not end the night. Afterwards every
# new artifact is replayed once to read its signature (the panic's location, or OOM, or
# timeout); findings with the same signature are one bug, printed once with the command
# that reproduces it. Then `cargo fuzz cmin` shrinks the corpus to the inputs that still
# add coverage. Exit status: non-zero if anything was found.
#
# Environment: FUZZ_SANITIZER (default: address; "none" builds and runs ~2x faster),
# FUZZ_FORKS (long mode's worker processes per target), FUZZ_JOBS_ARGS (extra libFuzzer
# flags), FUZZ_RSS_LIMIT_MB (default 2048, libFuzzer's own default).
set -euo pipefail

long=false
if [[ ${1:-} == --long ]]; then
    long=true
    shift
fi
if [[ $# -lt 1 || ! $1 =~ ^[0-9]+$ ]]; then
    echo "usage: $0 [--long] SECONDS [TARGET...]" >&2
    exit 2
fi
seconds=$1
shift

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
export RUSTC_BOOTSTRAP=1
sanitizer=${FUZZ_SANITIZER:-address}
rss_limit=${FUZZ_RSS_LIMIT_MB:-2048}

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

# The signature of one artifact: where it panicked, or which limit it hit.
signature() {
    local target=$1 input=$2 out
    out=$(cargo fuzz run --sanitizer "$sanitizer" "$target" "$input" -- \
        -runs=1 -timeout=10 -rss_limit_mb="$rss_limit" 2>&1 || true)
    if grep -q "panicked at" <<<"$out"; then
        grep -m1 -o "panicked at [^ ]*" <<<"$out" | sed 's/:$//'
    elif grep -q "out-of-memory" <<<"$out"; then
        echo "out-of-memory"
    elif grep -q "timeout" <<<"$out"; then
        echo "timeout"
    elif grep -q "ERROR: AddressSanitizer" <<<"$out"; then
        grep -m1 -o "ERROR: AddressSanitizer: [a-z-]*" <<<"$out"
    else
        echo "no longer reproduces"
    fi
}

for t in "${targets[@]}"; do
    mkdir -p "fuzz/corpus/$t" "fuzz/seeds/$t" "fuzz/artifacts/$t"
    stamp="$logs/$t.start"
    touch "$stamp"
    extra=()
    if $long; then
        extra=(-fork="${FUZZ_FORKS:-1}" -ignore_crashes=1 -ignore_ooms=1 -ignore_timeouts=1)
    fi
    echo "== $t for ${seconds}s$($long && echo ' (long mode)')"
    # shellcheck disable=SC2086 # FUZZ_JOBS_ARGS is a list of flags
    if ! cargo fuzz run --sanitizer "$sanitizer" "$t" \
        "$root/fuzz/corpus/$t" "$root/fuzz/seeds/$t" -- \
        -max_total_time="$seconds" -timeout=10 -rss_limit_mb="$rss_limit" \
        -dict="$root/fuzz/resp.dict" -artifact_prefix="$root/fuzz/artifacts/$t/" \
        -print_final_stats=1 "${extra[@]}" ${FUZZ_JOBS_ARGS:-} >"$logs/$t.log" 2>&1; then
        failed+=("$t")
        $long || tail -n 60 "$logs/$t.log"
    fi
    if $long; then
        mapfile -t found < <(find "fuzz/artifacts/$t" -type f -newer "$stamp" | sort)
        if [[ ${#found[@]} -gt 0 ]]; then
            [[ " ${failed[*]} " == *" $t "* ]] || failed+=("$t")
            echo "== $t: ${#found[@]} findings; distinct signatures:"
            declare -A seen=()
            for f in "${found[@]}"; do
                sig=$(signature "$t" "$f")
                if [[ -z ${seen[$sig]:-} ]]; then
                    seen[$sig]=1
                    echo "  $sig"
                    echo "    reproduce: RUSTC_BOOTSTRAP=1 cargo fuzz run --sanitizer $sanitizer $t $f"
                fi
            done
            unset seen
        fi
        echo "== minimising fuzz/corpus/$t"
        cargo fuzz cmin --sanitizer "$sanitizer" "$t" "fuzz/corpus/$t" >"$logs/$t.cmin.log" 2>&1 ||
            echo "   cmin failed (log: $logs/$t.cmin.log)"
    fi
done

echo "== summary (${seconds}s per target$($long && echo ', long mode'))"
for t in "${targets[@]}"; do
    # Short runs end with a DONE line; fork mode prints periodic status lines instead.
    last=$(grep -E '^#[0-9]+[[:space:]]+(DONE|pulse|NEW|REDUCE|INITED)|^#[0-9]+: cov:' \
        "$logs/$t.log" | tail -n 1 || true)
    echo "$t: ${last:-no status line (crashed at once?)}"
done
if [[ ${#failed[@]} -gt 0 ]]; then
    echo "== FOUND SOMETHING: ${failed[*]} (inputs in fuzz/artifacts/, logs in $logs)" >&2
    exit 1
fi
echo "== nothing found"
