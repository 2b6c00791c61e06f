/* pathfinder_data.h — the released Pathfinder / Path-X images
 * (lra_release/pathfinder{32,64,128,256}/<level>/), so that lra/pathfinder and
 * lra/pathx can serve them instead of generating. */
#ifndef ATTNBENCH_PATHFINDER_DATA_H
#define ATTNBENCH_PATHFINDER_DATA_H

#include <stdint.h>

#include "core/error.h"
#include "tasks/task.h"

typedef struct pathfinder_data pathfinder_data;

/* Read dir/metadata/<k>.npy (plain text despite the name) in numeric order of k and
 * check every image they list: it must decode and be side × side; empty (all-black)
 * images are left out, as LRA does. The rest, in that order, are split 80/10/10.
 * Errors name the file and line. */
int pathfinder_data_load(pathfinder_data **out, const char *dir, int side, error_info *err);
/* Examples in a split, and empty images left out of all three. */
int64_t pathfinder_data_count(const pathfinder_data *d, enum task_split split);
int64_t pathfinder_data_empty(const pathfinder_data *d);
/* Example `index` of a split (its PNG decoded now) into out (side² tokens). */
int pathfinder_data_example(const pathfinder_data *d, enum task_split split, int64_t index, example *out,
                            error_info *err);
void pathfinder_data_free(pathfinder_data *d);

#endif
