# Every registered attention mechanism and the whole model, in double precision.
attnbench_test(grad test_attention DOUBLE)
attnbench_test(grad test_model DOUBLE)
