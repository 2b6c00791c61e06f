# The context-sensitive (CS) tasks of the Chomsky-hierarchy benchmark.
attnbench_test(golden test_chomsky_cs LABELS tasks)
