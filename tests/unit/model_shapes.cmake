# Every model shape of layers 1-24 × positional encodings × biases × norms, with every
# mechanism, builds as its config implies, and the schema's limits build or are refused.
attnbench_test(unit test_model_shapes)
