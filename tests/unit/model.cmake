# The overfit-one-batch training test and the vectorised softmax kernels.
attnbench_test(unit test_overfit)
attnbench_test(unit test_vecmath)
