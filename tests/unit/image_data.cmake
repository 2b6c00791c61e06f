# Loader for CIFAR-10's binary release (lra/image with data_dir).
attnbench_test(unit test_image_data LABELS tasks)
