#!/usr/bin/env bash
# sweep-array.sh — one shard of an attnbench sweep, as one task of a Slurm job array.
#
#   sbatch [--array=1-4] configs/slurm/sweep-array.sh CONFIG [key=a,b ...]
#
# Task k of an array of N tasks (any range: --array=0-7, --array=10-40:10) runs shard
# k/N of the sweep's plan into a database on node-local disk ($TMPDIR, else /tmp), then
# copies it under a temporary name into $ATTNBENCH_SHARDS (default ./shards) and renames
# it to shard-k-of-N.sqlite, so readers never see half a file. A shard file already
# there is copied in first: resubmitting a task runs only what is not yet completed.
# With ATTNBENCH_NSHARDS=N set, the array index itself is the shard number (1..N), so
# one failed shard is rerun with: sbatch --array=3 --export=ALL,ATTNBENCH_NSHARDS=4 ...
#
# Environment: ATTNBENCH_BIN (default: attnbench on PATH, else ./build/attnbench),
# ATTNBENCH_SHARDS, ATTNBENCH_NSHARDS. Runs use SLURM_CPUS_PER_TASK threads.
#SBATCH --job-name=attnbench-sweep
#SBATCH --array=1-4
#SBATCH --cpus-per-task=2
set -euo pipefail

die() { echo "sweep-array.sh: $*" >&2; exit 2; }
[ $# -ge 1 ] || die "usage: sbatch [--array=1-N] sweep-array.sh CONFIG [key=a,b ...]"
[ -n "${SLURM_ARRAY_TASK_ID:-}" ] || die "not a job-array task (submit with sbatch --array=...)"

bin=${ATTNBENCH_BIN:-$(command -v attnbench || echo ./build/attnbench)}
shards=${ATTNBENCH_SHARDS:-./shards}
id=$SLURM_ARRAY_TASK_ID
if [ -n "${ATTNBENCH_NSHARDS:-}" ]; then
    n=$ATTNBENCH_NSHARDS i=$id
else
    # A range MIN-MAX:STEP: task k is shard (k - MIN) / STEP + 1. A list (1,3,7) is not.
    min=$SLURM_ARRAY_TASK_MIN step=${SLURM_ARRAY_TASK_STEP:-1} n=$SLURM_ARRAY_TASK_COUNT
    [ $(( (SLURM_ARRAY_TASK_MAX - min) / step + 1 )) -eq "$n" ] && [ $(( (id - min) % step )) -eq 0 ] ||
        die "--array is not a range MIN-MAX[:STEP]; use one, or set ATTNBENCH_NSHARDS and indices 1..N"
    i=$(( (id - min) / step + 1 ))
fi
[ "$i" -ge 1 ] && [ "$i" -le "$n" ] || die "shard $i of $n out of range (index $id); check --array and ATTNBENCH_NSHARDS"

name=shard-$i-of-$n.sqlite
threads=${SLURM_CPUS_PER_TASK:-$(nproc)}
mkdir -p "$shards"
work=$(mktemp -d "${TMPDIR:-/tmp}/attnbench-$name.XXXXXX")
db=$work/$name

# Copy the local database to the shared directory: same-directory temp name, then rename.
save() {
    [ -f "$db" ] || return 0
    # Marks runs whose process is gone (a killed sweep) as dead and checkpoints the WAL.
    "$bin" reap --db "$db" >/dev/null 2>&1 || true
    cp "$db" "$shards/.$name.$SLURM_JOB_ID.tmp"
    mv -f "$shards/.$name.$SLURM_JOB_ID.tmp" "$shards/$name"
    echo "sweep-array.sh: wrote $shards/$name"
}
trap 'save; rm -rf "$work"' EXIT
# Slurm signals every process of the job on scancel or time-out: the sweep stops its
# runs as dead (run again on resubmission) and exits, then this shell saves the shard.
trap 'echo "sweep-array.sh: signalled, saving the shard" >&2' TERM INT

if [ -f "$shards/$name" ]; then cp "$shards/$name" "$db"; fi
echo "sweep-array.sh: shard $i/$n of $1 on $(hostname), $threads threads, job $SLURM_JOB_ID"
status=0
"$bin" sweep "$@" --db "$db" --shard "$i/$n" -j 1 "train.threads=$threads" || status=$?
exit "$status"
