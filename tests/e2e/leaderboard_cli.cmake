# `attnbench leaderboard` through the binary: a self-contained html page, usage errors,
# and --all from a manifest, on a fixture database in a temporary directory.
attnbench_test(e2e test_leaderboard_cli TIMEOUT 120)
add_dependencies(test_leaderboard_cli attnbench)
