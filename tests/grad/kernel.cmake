# Kernelized attention (linear, Performer): gradients, dense kernel references, the
# estimator (unbiasedness, convergence to softmax) and feature redraws, in double precision.
attnbench_test(grad test_kernel_attention DOUBLE)
