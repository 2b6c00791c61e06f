# The overfit-one-batch training test and the vectorised softmax kernels.
attnbench_test(unit test_overfit)
attnbench_test(unit test_vecmath)
# Every mechanism gives the same bits on one thread and on two.
attnbench_test(unit test_mechanism_threads)
# The length-generalisation protocol: masked per-sequence accuracy, evaluation by
# length, per-length rows in the database.
attnbench_test(unit test_lengths)
