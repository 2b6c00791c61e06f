#!/usr/bin/env bash
# submit.sh — submit an attnbench sweep to Slurm: a job array of sweep-array.sh shards
# and a merge.sh job that runs after the whole array (even when a shard failed).
#
#   configs/slurm/submit.sh [--sbatch-option=value ...] CONFIG [key=a,b ...]
#
# Leading --name=value options go to sbatch for both jobs (--partition=..., --time=...,
# --cpus-per-task=... is for the array only). ATTNBENCH_NSHARDS sets the array size
# (default 4); ATTNBENCH_SHARDS (default ./shards) receives the shard databases, the
# merged database, the leaderboard and the jobs' logs (logs/). Prints both job ids.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
opts=() array_opts=()
while [ $# -gt 0 ] && [[ $1 == --* ]]; do
    case $1 in
        --cpus-per-task=*) array_opts+=("$1") ;;
        --array=*|--dependency=*) echo "submit.sh: $1 is set here; use ATTNBENCH_NSHARDS" >&2; exit 2 ;;
        *=*) opts+=("$1") ;;
        *) echo "submit.sh: sbatch options must be --name=value, got $1" >&2; exit 2 ;;
    esac
    shift
done
[ $# -ge 1 ] || { echo "usage: submit.sh [--sbatch-option=value ...] CONFIG [key=a,b ...]" >&2; exit 2; }
[ -f "$1" ] || { echo "submit.sh: $1: no such config" >&2; exit 2; }

n=${ATTNBENCH_NSHARDS:-4}
export ATTNBENCH_NSHARDS=$n ATTNBENCH_SHARDS=${ATTNBENCH_SHARDS:-./shards}
mkdir -p "$ATTNBENCH_SHARDS/logs"
logs=$ATTNBENCH_SHARDS/logs

array=$(sbatch --parsable "${opts[@]}" "${array_opts[@]}" --array="1-$n" \
    --output="$logs/sweep-%A_%a.out" "$here/sweep-array.sh" "$@")
array=${array%%;*}
merge=$(sbatch --parsable "${opts[@]}" --dependency="afterany:$array" \
    --output="$logs/merge-%j.out" "$here/merge.sh")
merge=${merge%%;*}
echo "sweep job array $array (shards 1-$n of $1)"
echo "merge job $merge (after $array): ${ATTNBENCH_MERGED:-$ATTNBENCH_SHARDS/merged.sqlite}," \
    "${ATTNBENCH_LEADERBOARD:-$ATTNBENCH_SHARDS/leaderboard.md}"
