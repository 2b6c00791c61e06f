# configs/slurm/ on a real single-node Slurm cluster that the test starts (needs root
# and Debian's slurmctld, slurmd, slurm-client and munge); `ctest -LE slurm` leaves it out.
add_test(NAME test_slurm COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/slurm/test_slurm.sh)
set_tests_properties(test_slurm PROPERTIES LABELS "slurm" TIMEOUT 420
  ENVIRONMENT "ATTNBENCH_BIN=$<TARGET_FILE:attnbench>;ATTNBENCH_SOURCE=${CMAKE_SOURCE_DIR};OPENBLAS_NUM_THREADS=1")
