#!/usr/bin/env bash
# The experiment behind the README's "Does the simulator find bugs?": build the server
# with one planted bug at a time and sweep seeds until the simulator catches it.
# Usage: sim/planted-bugs.sh [SEEDS]   (default 0..200)
set -uo pipefail
cd "$(dirname "$0")/.."
seeds=${1:-0..200}
target=target/planted
for bug in crlf-whole lost-wakeup drop-write-tail no-writable-interest; do
  cargo build -q --release -p sim --target-dir "$target" --features "seedis/planted-bug-$bug" || exit 2
  out=$("$target/release/sim" --seeds "$seeds" --jobs 2 --no-shrink 2>/dev/null)
  summary=$(echo "$out" | grep -E '^[0-9]+ seeds' )
  first=$(echo "$out" | grep -E '^  seed ' | head -1)
  echo "planted-bug-$bug: $summary"
  echo "    first: ${first:-none}"
done
