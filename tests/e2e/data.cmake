# `attnbench data`: generated examples as TSV.
attnbench_test(e2e test_data)
add_dependencies(test_data attnbench)
