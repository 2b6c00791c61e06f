# The optimiser step and the learning-rate schedule, in float.
attnbench_test(unit test_adamw)
attnbench_test(unit test_schedule)
