attnbench_test(unit test_overfit)
