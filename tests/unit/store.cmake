# Results database: store open/refuse/migrate, run writes, atomicity under SIGKILL,
# concurrent writers, read-only queries and their formats; the leaderboard table.
attnbench_test(unit test_store TIMEOUT 120)
attnbench_test(unit test_leaderboard)
