/* listops_data.h — the released LRA ListOps files (listops-1000/basic_{train,val,test}.tsv),
 * read into memory so that lra/listops can serve them instead of generating. */
#ifndef ATTNBENCH_LISTOPS_DATA_H
#define ATTNBENCH_LISTOPS_DATA_H

#include <stdint.h>

#include "core/error.h"
#include "tasks/task.h"

typedef struct listops_data listops_data;

/* Read the three files of dir; inputs longer than max_tokens are cut there, as LRA's
 * pipeline does. Errors name the file and line. */
int listops_data_load(listops_data **out, const char *dir, int max_tokens, error_info *err);
/* Example `index` of a split into out (buffers of max_tokens tokens); an index past
 * the end of the file is an error naming the file and its size. */
int listops_data_example(const listops_data *d, enum task_split split, int64_t index, example *out,
                         error_info *err);
void listops_data_free(listops_data *d);

#endif
