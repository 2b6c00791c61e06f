# Sweeps through the binary: planning, skipping, shards, diverged and failed runs,
# kill -9 at several moments then resume, two sweeps on one database, reap.
attnbench_test(e2e test_sweep TIMEOUT 400)
add_dependencies(test_sweep attnbench)
