# LRA ListOps generator and evaluator.
attnbench_test(golden test_listops LABELS tasks)
