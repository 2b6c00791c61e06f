# Every leaderboard format of every suite from a fixture database, byte for byte
# against tests/golden/leaderboard/ (ATTNBENCH_UPDATE_GOLDEN=1 refreshes them).
attnbench_test(golden test_leaderboard_golden)
