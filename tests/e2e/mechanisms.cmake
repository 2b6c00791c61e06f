# A tiny training run with every registered mechanism, through the binary.
attnbench_test(e2e test_mechanism_runs TIMEOUT 300)
add_dependencies(test_mechanism_runs attnbench)
