# `attnbench bench --config` on a Chomsky config, with a stand-in twin and, where
# /usr/bin/python3 can import torch and yaml, the real one (else exit 77: skipped).
attnbench_test(e2e test_bench_config TIMEOUT 300)
add_dependencies(test_bench_config attnbench)
set_tests_properties(test_bench_config PROPERTIES SKIP_RETURN_CODE 77)
