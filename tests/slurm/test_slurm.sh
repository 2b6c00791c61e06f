#!/usr/bin/env bash
# test_slurm.sh — configs/slurm/ end to end on a real single-node Slurm cluster.
#
# Starts munged, slurmctld and slurmd in a temporary directory (generated slurm.conf, no
# accounting, no cgroups, no systemd), submits a 4-run sweep with configs/slurm/submit.sh
# as a 4-task array plus its merge job, and checks: every task and the merge completed;
# the 4 shard files, the merged database and its leaderboard exist; the leaderboard
# equals byte for byte that of the same sweep run locally; every planned (config hash,
# seed) is completed exactly once; resubmitting one shard reruns nothing. Stops the
# daemons and removes the directory on exit. Needs root and Debian's slurmctld, slurmd,
# slurm-client and munge; ATTNBENCH_BIN and ATTNBENCH_SOURCE come from ctest.
#
# Pitfalls: munged refuses a socket whose parent directories are not all o+x (mktemp -d
# is 0700, and TMPDIR's parents must be searchable too); jobs inherit the submitter's environment, so SLURM_CONF and ATTNBENCH_* reach
# them, and stray SLURM_*/SBATCH_* variables are cleared first; without slurmdbd there
# is no sacct, so completion is squeue running empty and `scontrol show job` states
# (kept for MinJobAge seconds); the pmix "can not load PMIx library" lines in slurmd.log
# are harmless.
set -euo pipefail
start=$SECONDS
failed=0
ok() { echo "ok   $1"; }
fail() { echo "FAIL $1: $2"; failed=1; }
die() { echo "FAIL $1: $2"; echo "elapsed $((SECONDS - start)) s"; exit 1; }

install="apt-get install -y --no-install-recommends slurmctld slurmd slurm-client munge"
[ "$(id -u)" -eq 0 ] || die "prerequisites" "must run as root (it starts munged, slurmctld and slurmd); or leave it out with ctest -LE slurm"
for c in munged slurmctld slurmd sbatch squeue scontrol scancel sinfo; do
    command -v "$c" >/dev/null || die "prerequisites" "$c not found; install Slurm and munge: $install"
done
bin=${ATTNBENCH_BIN:?ATTNBENCH_BIN must name the attnbench binary}
src=${ATTNBENCH_SOURCE:?ATTNBENCH_SOURCE must name the source tree}
for v in $(compgen -e | grep -E '^(SLURM_|SBATCH_)' || true); do unset "$v"; done

t=$(mktemp -d "${TMPDIR:-/tmp}/attnbench-slurm.XXXXXX")
chmod 755 "$t"
mkdir -p "$t/munge" "$t/state" "$t/spool" "$t/log" "$t/work"
pids=()
cleanup() {
    if [ -S "$t/munge/socket" ]; then
        timeout 10 scancel --quiet --full "--user=$(id -un)" 2>/dev/null || true
        for _ in $(seq 50); do timeout 5 squeue -h -o %i 2>/dev/null | grep -q . || break; sleep 0.1; done
    fi
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    for p in "${pids[@]}"; do
        for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
        kill -9 "$p" 2>/dev/null || true
    done
    rm -rf "$t"
}
trap cleanup EXIT
show_logs() {
    for f in "$t"/work/shards/logs/*.out "$t"/log/slurmctld.log "$t"/log/slurmd.log; do
        [ -f "$f" ] && { echo "--- $f"; tail -n 15 "$f"; }
    done
    return 0
}

# Two free TCP ports for slurmctld and slurmd.
port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
port=$((20000 + ($$ % 5000) * 2))
until port_free "$port" && port_free $((port + 1)); do port=$((port + 2)); done

dd if=/dev/urandom of="$t/munge/munge.key" bs=1024 count=1 status=none
chmod 600 "$t/munge/munge.key"
munged -F --socket="$t/munge/socket" --key-file="$t/munge/munge.key" --log-file="$t/log/munged.log" \
    --pid-file="$t/munge/munged.pid" --seed-file="$t/munge/seed" 2>>"$t/log/munged.log" &
pids+=($!)

host=$(hostname -s)
cat >"$t/slurm.conf" <<EOF
ClusterName=attnbench-test
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$port
SlurmdPort=$((port + 1))
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$t/munge/socket
StateSaveLocation=$t/state
SlurmdSpoolDir=$t/spool
SlurmctldPidFile=$t/slurmctld.pid
SlurmdPidFile=$t/slurmd.pid
SlurmctldLogFile=$t/log/slurmctld.log
SlurmdLogFile=$t/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
ReturnToService=2
MinJobAge=600
KillWait=5
NodeName=$host NodeAddr=127.0.0.1 CPUs=$(nproc) State=UNKNOWN
PartitionName=test Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
export SLURM_CONF=$t/slurm.conf

for _ in $(seq 50); do [ -S "$t/munge/socket" ] && break; sleep 0.1; done
[ -S "$t/munge/socket" ] || die "munged" "no socket after 5 s: $(tail -n 2 "$t/log/munged.log" | tr '\n' ' ')"
slurmctld -D -f "$SLURM_CONF" >>"$t/log/slurmctld.out" 2>&1 &
pids+=($!)
slurmd -D -f "$SLURM_CONF" -N "$host" >>"$t/log/slurmd.out" 2>&1 &
pids+=($!)
state=""
for _ in $(seq 300); do
    state=$(sinfo -h -o %T 2>/dev/null || true)
    [ "$state" = idle ] && break
    sleep 0.1
done
[ "$state" = idle ] || { show_logs; die "cluster" "node not idle after 30 s (state '$state')"; }
ok "single-node cluster up: munged, slurmctld, slurmd on ports $port-$((port + 1)), $(nproc) CPUs"

# A 2 mechanisms x 2 seeds sweep of tiny ListOps runs: 4 runs, one per shard.
cd "$t/work"
cat >tiny.yaml <<'EOF'
name: slurm-tiny
task:
  name: lra/listops
  min_length: 10
  max_length: 30
  train_examples: 256
  eval_examples: 64
  test_examples: 64
  seed: 0
model:
  layers: 1
  dim: 16
  heads: 2
  mlp_dim: 32
  pooling: cls
  attention:
    kind: full
train:
  steps: 20
  batch_size: 16
  warmup: 5
  eval_every: 20
  log_every: 10
  seed: 0
  threads: 1
sweep:
  model.attention.kind: [full, linear]
  train.seed: [0, 1]
EOF

export ATTNBENCH_BIN=$bin ATTNBENCH_SHARDS=$t/work/shards ATTNBENCH_NSHARDS=4
if out=$("$src/configs/slurm/submit.sh" --cpus-per-task=1 tiny.yaml 2>&1); then
    array=$(awk '/^sweep job array/ {print $4}' <<<"$out")
    merge=$(awk '/^merge job/ {print $3}' <<<"$out")
    ok "submit.sh: array job $array, merge job $merge"
else
    die "submit.sh" "$out"
fi

deadline=$((SECONDS + 180))
while squeue -h -j "$array,$merge" -o %i 2>/dev/null | grep -q .; do
    [ $SECONDS -lt $deadline ] || { show_logs; die "jobs" "still queued or running after 180 s: $(squeue -h -o '%i %T %R' | tr '\n' ';')"; }
    sleep 0.5
done
states=$(scontrol -o show job "$array" | grep -o 'JobState=[A-Z_]* .* ExitCode=[0-9:]*' |
    sed 's/JobState=\([A-Z_]*\) .* ExitCode=\([0-9:]*\)/\1 \2/' | sort | uniq -c | tr -s ' ' | tr '\n' ';' || true)
[ "$states" = " 4 COMPLETED 0:0;" ] && ok "4 array tasks completed with exit 0" ||
    { fail "array tasks" "states:$states"; show_logs; }
mstate=$(scontrol -o show job "$merge" | grep -o 'JobState=[A-Z_]*\|ExitCode=[0-9:]*' | tr '\n' ' ' || true)
[ "$mstate" = "JobState=COMPLETED ExitCode=0:0 " ] && ok "merge job completed with exit 0" ||
    { fail "merge job" "$mstate"; show_logs; }

q() { "$bin" query --db "$1" --format csv "$2" | tail -n +2; }
for i in 1 2 3 4; do
    f=shards/shard-$i-of-4.sqlite
    if [ ! -f "$f" ]; then fail "shard $i" "$f missing"; continue; fi
    n=$(q "$f" "SELECT count(*) FROM run WHERE status = 'completed'" 2>&1 || true)
    [ "$n" = 1 ] && ok "$f: 1 completed run" || fail "shard $i" "$f has $n completed runs, expected 1"
done
leftovers=$(find shards -maxdepth 1 -name '.*' ! -name . | tr '\n' ' ')
[ -z "$leftovers" ] && ok "no temporary files left in shards/" || fail "shards/" "left over: $leftovers"
[ -f shards/merged.sqlite ] && ok "merge.sh wrote shards/merged.sqlite" || fail "merge" "shards/merged.sqlite missing"

if "$bin" sweep tiny.yaml --db local.sqlite --quiet >local.log 2>&1 &&
    "$bin" leaderboard --db local.sqlite -o local.md 2>>local.log; then
    ok "the same sweep run locally (no Slurm) into local.sqlite"
else
    fail "local sweep" "$(tail -n 3 local.log)"
fi
if [ -f shards/merged.sqlite ] && [ -f local.md ]; then
    "$bin" leaderboard --db shards/merged.sqlite -o merged.md 2>>local.log || true
    cmp -s local.md merged.md && ok "leaderboard of the merged database equals the local sweep's, byte for byte" ||
        fail "leaderboard" "$(diff local.md merged.md 2>&1 | head -n 10)"
    cmp -s local.md shards/leaderboard.md && ok "merge.sh's shards/leaderboard.md equals it too" ||
        fail "merge.sh leaderboard" "$(diff local.md shards/leaderboard.md 2>&1 | head -n 10)"
    per_run="SELECT config_hash, seed, sum(status = 'completed') FROM run GROUP BY config_hash, seed ORDER BY 1, 2"
    want=$(q local.sqlite "$per_run" || true)
    got=$(q shards/merged.sqlite "$per_run" || true)
    if [ "$(wc -l <<<"$want")" -eq 4 ] && [ "$want" = "$got" ] && ! grep -qv ',1$' <<<"$got"; then
        ok "all 4 planned (config hash, seed) completed exactly once in the merged database"
    else
        fail "runs" "local: $(tr '\n' ' ' <<<"$want") merged: $(tr '\n' ' ' <<<"$got")"
    fi
fi

# Resubmitting one shard (a resume) finds its run completed and runs nothing.
before=$(q shards/shard-3-of-4.sqlite "SELECT count(*) FROM run" 2>&1 || true)
if [ ! -f shards/shard-3-of-4.sqlite ]; then
    fail "resubmit" "no shard 3 to resubmit"
elif again=$(sbatch --parsable --array=3 --cpus-per-task=1 --output="$t/work/again-%a.out" \
        "$src/configs/slurm/sweep-array.sh" tiny.yaml 2>&1); then
    deadline=$((SECONDS + 60))
    while squeue -h -j "${again%%;*}" -o %i 2>/dev/null | grep -q . && [ $SECONDS -lt $deadline ]; do sleep 0.5; done
    after=$(q shards/shard-3-of-4.sqlite "SELECT count(*) FROM run" 2>&1 || true)
    rstate=$(scontrol -o show job "${again%%;*}" | grep -o 'JobState=[A-Z_]*\|ExitCode=[0-9:]*' | tr '\n' ' ' || true)
    [ "$rstate" = "JobState=COMPLETED ExitCode=0:0 " ] && [ "$before" = "$after" ] &&
        ok "resubmitted shard 3 completed and ran nothing new ($after run row(s))" ||
        fail "resubmitted shard 3" "$rstate; run rows $before -> $after; $(tail -n 3 again-3.out 2>&1)"
else
    fail "resubmit" "$again"
fi

echo "elapsed $((SECONDS - start)) s"
exit "$failed"
