attnbench_test(unit test_overfit)
attnbench_test(unit test_vecmath)
