# The attnbench binary end to end, into a temporary database.
attnbench_test(e2e test_cli TIMEOUT 300)
add_dependencies(test_cli attnbench)
# Every Chomsky task trains and evaluates by length through the binary.
attnbench_test(e2e test_chomsky_runs TIMEOUT 300)
add_dependencies(test_chomsky_runs attnbench)
