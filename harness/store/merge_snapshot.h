/* merge_snapshot.h — the private copy of an input database that merge.c reads.
 *
 * Only the store's merge sees this: the copy is taken through a read-only connection
 * (one consistent snapshot even while another process writes the input), migrated to
 * the current schema when the input is older, and removed after the merge. */
#ifndef ATTNBENCH_MERGE_SNAPSHOT_H
#define ATTNBENCH_MERGE_SNAPSHOT_H

#include <stddef.h>

#include "core/error.h"

/* Check the input (as merge_check_input) and copy it to a new file in $TMPDIR (else
 * /tmp), whose path is written to copy. */
int merge_snapshot_take(const char *input, char *copy, size_t copy_size, error_info *err);
/* Delete the copy and any journal files SQLite left beside it. */
void merge_snapshot_remove(const char *copy);

#endif
