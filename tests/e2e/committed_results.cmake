# The committed speed leaderboard regenerates from the committed database.
attnbench_test(e2e test_committed_results)
add_dependencies(test_committed_results attnbench)
