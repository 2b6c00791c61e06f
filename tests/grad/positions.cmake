# Position encodings: token positions, the gathered table, RoPE, ALiBi and T5
# definitions; and ALiBi, T5 and relative attention inside every mechanism that forms
# scores, against the dense reference and finite differences, in double precision.
attnbench_test(grad test_positions DOUBLE)
attnbench_test(grad test_position_scores DOUBLE)
