# Full attention's tiled kernel on tile sizes that do and do not divide T, against the
# dense reference (with padding, dropout and every position kind) and finite differences.
attnbench_test(grad test_tiled_attention DOUBLE)
# The same in the float build that trains (AVX2 tile products), at float accuracy.
attnbench_test(grad test_tiled_attention_float)
