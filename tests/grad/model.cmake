attnbench_test(grad test_attention DOUBLE)
attnbench_test(grad test_model DOUBLE)
