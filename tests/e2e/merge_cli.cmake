# `attnbench merge` and `attnbench export` end to end, into temporary databases.
attnbench_test(e2e test_merge_cli TIMEOUT 120)
add_dependencies(test_merge_cli attnbench)
