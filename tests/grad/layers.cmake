# The layers of harness/nn against finite differences, in double precision.
attnbench_test(grad test_layers DOUBLE)
