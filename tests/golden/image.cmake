# LRA Image generator and renderer.
attnbench_test(golden test_image LABELS tasks)
