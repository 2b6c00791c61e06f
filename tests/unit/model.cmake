# The overfit-one-batch training test and the vectorised softmax kernels.
attnbench_test(unit test_overfit)
attnbench_test(unit test_vecmath)
# The AVX2 attention-tile products against a double product.
attnbench_test(unit test_tile_gemm)
# Every mechanism gives the same bits on one thread and on two.
attnbench_test(unit test_mechanism_threads)
# The length-generalisation protocol: masked per-sequence accuracy, evaluation by
# length, per-length rows in the database.
attnbench_test(unit test_lengths)
# Training losses of every mechanism match the curves its kernels gave before they
# were tuned for speed (tests/golden/loss_curve.txt).
attnbench_test(unit test_loss_curve)
# The training batches generated ahead on their own thread are the direct ones.
attnbench_test(unit test_prefetch)
# A training step allocates nothing (malloc, calloc and realloc wrapped by the linker).
attnbench_test(unit test_step_allocations)
target_link_options(test_step_allocations PRIVATE -Wl,--wrap=malloc -Wl,--wrap=calloc -Wl,--wrap=realloc)
# Training reports through its reporter interface (model/train_reporter.h): what, when,
# none at all, and a reporter that fails.
attnbench_test(unit test_train_reporter)
