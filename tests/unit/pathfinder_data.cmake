# Loader of the released Pathfinder / Path-X images.
attnbench_test(unit test_pathfinder_data LABELS tasks)
