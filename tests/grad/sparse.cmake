# Local, Longformer and BigBird against explicit masks, their limits, and their gradients.
attnbench_test(grad test_sparse_attention DOUBLE)
