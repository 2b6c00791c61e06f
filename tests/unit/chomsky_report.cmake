# The Chomsky-hierarchy reports: `leaderboard --suite chomsky` and `plot`, from a
# hand-made database, in the library and through the binary.
attnbench_test(unit test_chomsky_report TIMEOUT 120)
add_dependencies(test_chomsky_report attnbench)
