# A database written by schema 3 (tests/fixtures/schema3/) migrates by being opened and
# then prints the same leaderboards and plots byte for byte; its sweeps run nothing.
attnbench_test(e2e test_schema3_migration TIMEOUT 120)
add_dependencies(test_schema3_migration attnbench)
