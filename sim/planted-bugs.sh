#!/usr/bin/env bash
# The experiment behind the README's "Does the simulator find bugs?": build the server
# with one planted bug at a time and sweep seeds until the simulator catches it.
# Usage: sim/planted-bugs.sh [SEEDS] [BUG...]   (default 0..200, every bug)
# The durability bugs are swept with crashes in every seed (--crashes always), the AOF
# ones with the AOF on in every seed (--aof always: appendfsync always).
# For each bug: how many seeds of the range fail, the first failing seed, and the size
# that seed's failure shrinks to.
set -uo pipefail
cd "$(dirname "$0")/.."
seeds=${1:-0..200}
shift || true
bugs=("$@")
if [ ${#bugs[@]} -eq 0 ]; then
  bugs=(crlf-whole lost-wakeup drop-write-tail no-writable-interest
        watch-expiry-ignored exec-keeps-watches blocked-lifo timeout-early
        eager-backlog-read propagate-relative-ttl write-lookup-dirties-watch
        rdb-no-fsync rdb-no-dir-sync load-skips-last-key
        aof-manifest-no-dir-sync aof-always-no-fsync aof-rewrite-loses-writes
        aof-rename-before-fsync)
fi
target=target/planted
for bug in "${bugs[@]}"; do
  cargo build -q --release -p sim --target-dir "$target" --features "seedis/planted-bug-$bug" || exit 2
  case "$bug" in
    rdb-*|load-*) extra=(--crashes always) ;;
    aof-*) extra=(--crashes always --aof always) ;;
    *) extra=() ;;
  esac
  out=$("$target/release/sim" --seeds "$seeds" --jobs 2 --no-shrink "${extra[@]}" 2>/dev/null)
  summary=$(echo "$out" | grep -E '^[0-9]+ seeds' )
  first=$(echo "$out" | grep -E '^  seed ' | head -1)
  echo "planted-bug-$bug: $summary"
  echo "    first: ${first:-none}"
  seed=$(echo "$first" | sed -nE 's/^  seed ([0-9]+):.*/\1/p')
  if [ -n "$seed" ]; then
    shrunk=$("$target/release/sim" --seed "$seed" "${extra[@]}" 2>/dev/null | sed -nE 's/^shrunk to ([0-9]+) ops.*/\1/p')
    echo "    shrunk: ${shrunk:-not shrunk (not a history failure)} ops"
  fi
done
