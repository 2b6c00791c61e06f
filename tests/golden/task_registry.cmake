# Every registered task against the task contract and tests/golden/task_hashes.txt
# (ATTNBENCH_UPDATE_GOLDEN=1 rewrites the file).
attnbench_test(golden test_task_registry LABELS tasks)
