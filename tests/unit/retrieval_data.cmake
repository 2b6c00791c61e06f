# LRA Retrieval loader for the released new_aan_pairs TSV files.
attnbench_test(unit test_retrieval_data LABELS tasks)
