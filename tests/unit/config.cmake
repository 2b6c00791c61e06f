# The config loader and the option parser (harness/config/).
attnbench_test(unit test_config)
attnbench_test(unit test_options)
