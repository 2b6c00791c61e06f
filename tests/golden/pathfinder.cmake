# LRA Pathfinder and Path-X generator (snakes renderer) and task.
attnbench_test(golden test_pathfinder LABELS tasks)
