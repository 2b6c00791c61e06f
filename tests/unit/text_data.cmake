# Loader of released review files for lra/text.
attnbench_test(unit test_text_data LABELS tasks)
