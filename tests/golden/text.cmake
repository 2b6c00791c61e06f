# LRA byte-level Text generator.
attnbench_test(golden test_text LABELS tasks)
