#!/bin/sh
# cpu-sweep.sh — the Chomsky CPU sweep of configs/chomsky/cpu.yaml's protocol, two runs
# at a time of one thread each, into one database, in the order that answers the
# questions first when it cannot all run at once:
#   1. full attention × sin/cos (the paper's), RoPE and ALiBi × 3 seeds × 15 tasks;
#   2. full attention × randomized sin/cos and randomized RoPE (Ruoss et al. 2023);
#   3. each efficient mechanism with BASE (the best base encoding of step 1), plain and
#      randomized, with windows and blocks smaller than the training inputs (which run
#      up to T = 41 for a classification task and 121 for duplicate_string): local
#      attention of radius 8 (17 keys), Longformer of total width 16 plus the first
#      token global, BigBird with blocks of 4 and one random block, Performer with 32
#      features (4 × the head size). None of the windows grows with the input.
# Every step is an `attnbench sweep`: after an interruption the same command skips what
# the database holds as completed and runs the rest. A sweep that spans days should run
# one binary throughout (ATTNBENCH pointing at a copy), so that every run of the table
# comes from the same build; each run records the commit it was built from.
#
# usage: configs/chomsky/cpu-sweep.sh [DATABASE [BASE]]
#   (default results/chomsky-cpu.sqlite and rope). The binary is $ATTNBENCH, else
#   ./build/attnbench.
set -u
bin=${ATTNBENCH:-./build/attnbench}
db=${1:-results/chomsky-cpu.sqlite}
base=${2:-rope}
status=0
sweep() { "$bin" sweep configs/chomsky/cpu.yaml -j 2 --db "$db" --quiet "$@" || status=1; }

sweep
sweep model.randomized_positions=true sweep.model.positional=sinusoidal,rope
for mechanism in "local model.attention.window=8" \
                 "longformer model.attention.window=16 model.attention.global_tokens=[0]" \
                 "bigbird model.attention.block=4 model.attention.random_blocks=1" \
                 "performer model.attention.features=32"; do
    # shellcheck disable=SC2086
    set -- $mechanism
    kind=$1
    shift
    sweep model.attention.kind="$kind" "$@" sweep.model.positional="$base" sweep.model.randomized_positions=false,true
done
exit $status
