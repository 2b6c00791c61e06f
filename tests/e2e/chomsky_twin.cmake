# The PyTorch twin trains exactly as attnbench does (needs torch and yaml in
# /usr/bin/python3, else exit 77: skipped).
attnbench_test(e2e test_chomsky_twin TIMEOUT 300)
add_dependencies(test_chomsky_twin attnbench)
set_tests_properties(test_chomsky_twin PROPERTIES SKIP_RETURN_CODE 77)
