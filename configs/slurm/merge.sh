#!/usr/bin/env bash
# merge.sh — merge the shard databases written by sweep-array.sh into one database and
# write its leaderboard; meant to run after the array:
#
#   sbatch --dependency=afterany:ARRAYJOB configs/slurm/merge.sh
#
# Reads $ATTNBENCH_SHARDS/shard-*-of-N.sqlite (default ./shards; N = $ATTNBENCH_NSHARDS,
# else every shard file there) and writes, each under a temporary name then renamed,
# $ATTNBENCH_MERGED (default $ATTNBENCH_SHARDS/merged.sqlite) and its leaderboard
# $ATTNBENCH_LEADERBOARD (default $ATTNBENCH_SHARDS/leaderboard.md; suite
# $ATTNBENCH_SUITE, default lra). Exits 1 when a shard file is missing or the merge
# reported conflicts, after writing what it could. ATTNBENCH_BIN as in sweep-array.sh.
#SBATCH --job-name=attnbench-merge
#SBATCH --cpus-per-task=1
set -euo pipefail

bin=${ATTNBENCH_BIN:-$(command -v attnbench || echo ./build/attnbench)}
shards=${ATTNBENCH_SHARDS:-./shards}
merged=${ATTNBENCH_MERGED:-$shards/merged.sqlite}
board=${ATTNBENCH_LEADERBOARD:-$shards/leaderboard.md}
suite=${ATTNBENCH_SUITE:-lra}

status=0
if [ -n "${ATTNBENCH_NSHARDS:-}" ]; then
    files=()
    for i in $(seq 1 "$ATTNBENCH_NSHARDS"); do
        f=$shards/shard-$i-of-$ATTNBENCH_NSHARDS.sqlite
        if [ -f "$f" ]; then files+=("$f"); else echo "merge.sh: missing $f" >&2; status=1; fi
    done
else
    shopt -s nullglob
    files=("$shards"/shard-*-of-*.sqlite)
fi
[ ${#files[@]} -gt 0 ] || { echo "merge.sh: no shard databases in $shards" >&2; exit 1; }

mkdir -p "$(dirname "$merged")" "$(dirname "$board")"
tmp=$(mktemp -d "$(dirname "$merged")/.merge.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
# Exit 1 from merge is a conflict (reported; the merged database keeps one side): go on.
rc=0
"$bin" merge "$tmp/merged.sqlite" "${files[@]}" || rc=$?
[ "$rc" -le 1 ] && [ -f "$tmp/merged.sqlite" ] || exit "$((rc > 0 ? rc : 1))"
[ "$rc" -eq 0 ] || status=1
"$bin" leaderboard --db "$tmp/merged.sqlite" --suite "$suite" -o "$tmp/leaderboard"
mv -f "$tmp/merged.sqlite" "$merged"
cp "$tmp/leaderboard" "$board.tmp.$$" && mv -f "$board.tmp.$$" "$board"
echo "merge.sh: merged ${#files[@]} shard(s) into $merged; leaderboard in $board"
exit "$status"
