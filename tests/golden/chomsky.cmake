# The 15 formal-language tasks of the Chomsky-hierarchy benchmark, by level.
attnbench_test(golden test_chomsky_regular LABELS tasks)
attnbench_test(golden test_chomsky_dcf LABELS tasks)
