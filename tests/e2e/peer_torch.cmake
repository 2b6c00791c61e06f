# `attnbench bench --peer` with the project's PyTorch peer; without torch in
# /usr/bin/python3 the peer's own run is skipped (exit 77), the rest still checked.
attnbench_test(e2e test_peer_torch TIMEOUT 300)
add_dependencies(test_peer_torch attnbench)
set_tests_properties(test_peer_torch PROPERTIES SKIP_RETURN_CODE 77)
