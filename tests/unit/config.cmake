# The config loader and the option parser (harness/config/).
attnbench_test(unit test_config)
attnbench_test(unit test_options)
# A config's identity and hash: what differs from the defaults, stable when an option is added.
attnbench_test(unit test_config_identity)
