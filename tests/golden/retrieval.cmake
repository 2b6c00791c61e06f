# LRA Retrieval generator: sources, documents, label independence of each document, golden hashes.
attnbench_test(golden test_retrieval LABELS tasks)
