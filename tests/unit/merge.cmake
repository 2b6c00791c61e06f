# Merging results databases: rows once each, idempotence, input order, upgrades,
# conflicts, duplicates, refused inputs, older schemas, and a merge killed mid-way.
attnbench_test(unit test_merge TIMEOUT 300)
