# Every config under configs/ passes `attnbench run --check`.
attnbench_test(e2e test_configs LABELS configs TIMEOUT 120)
add_dependencies(test_configs attnbench)
