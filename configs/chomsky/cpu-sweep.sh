#!/bin/bash
# cpu-sweep.sh — the Chomsky CPU sweep: the grids of configs/chomsky/cpu.yaml (full and
# local attention) and cpu-performer.yaml, two runs at a time of one thread each, into
# one database; seed 0 of every configuration before seed 1. A run that the database
# already holds as completed (same task, mechanism, positional encoding and seed) is
# skipped, so after an interruption the same command finishes the rest.
#
# usage: configs/chomsky/cpu-sweep.sh [DATABASE]   (default results/chomsky-cpu.sqlite)
# The binary is $ATTNBENCH, else ./build/attnbench.
set -eu
bin=${ATTNBENCH:-./build/attnbench}
db=${1:-results/chomsky-cpu.sqlite}
tasks="even_pairs modular_arithmetic parity_check cycle_navigation stack_manipulation reverse_string
       modular_arithmetic_brackets solve_equation duplicate_string missing_duplicate_string odds_first
       binary_addition binary_multiplication compute_sqrt bucket_sort"

plan() {
    for seed in 0 1; do
        for positional in sinusoidal rope; do
            for kind in full local performer; do
                for task in $tasks; do echo "$kind $positional $seed chomsky/$task"; done
            done
        done
    done
}

# One run: its config file, then skip it if completed, else train it.
run_one() {
    kind=$1 positional=$2 seed=$3 task=$4
    config=configs/chomsky/cpu.yaml
    [ "$kind" = performer ] && config=configs/chomsky/cpu-performer.yaml
    done_runs=$("$bin" query --db "$db" --format csv "SELECT count(*) FROM runs r JOIN config c ON c.hash = r.config_hash
        WHERE r.status = 'completed' AND r.task = '$task' AND r.mechanism = '$kind' AND r.seed = $seed
        AND json_extract(c.json, '$.model.positional') = '$positional'" 2>/dev/null | tail -n 1)
    if [ -n "$done_runs" ] && [ "$done_runs" != 0 ]; then echo "skip $task $kind $positional seed $seed"; return 0; fi
    "$bin" run "$config" --db "$db" --quiet task.name="$task" model.attention.kind="$kind" \
        model.positional="$positional" train.seed="$seed" || echo "FAILED: $task $kind $positional seed $seed"
}

while read -r kind positional seed task; do
    while [ "$(jobs -rp | wc -l)" -ge 2 ]; do wait -n; done
    run_one "$kind" "$positional" "$seed" "$task" &
done < <(plan)
wait
