# `attnbench bench` end to end: measured, refused, crashed and rejected cells.
attnbench_test(e2e test_bench TIMEOUT 120)
add_dependencies(test_bench attnbench)
