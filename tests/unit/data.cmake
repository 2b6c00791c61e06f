# Loaders for the released data files of the original benchmarks.
attnbench_test(unit test_listops_data)
