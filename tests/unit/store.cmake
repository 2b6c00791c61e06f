# Results database: store open/refuse/migrate, run writes, atomicity under SIGKILL,
# concurrent writers, read-only queries and their formats; the leaderboard table.
attnbench_test(unit test_store TIMEOUT 120)
# A second connection in one process (the heartbeat) keeps the first one's locks.
attnbench_test(unit test_store_locks)
attnbench_test(unit test_leaderboard)
# Suites from the tasks' registration, read back from the database: a new suite is
# ranked and plotted with no other edit.
attnbench_test(unit test_task_suites)
