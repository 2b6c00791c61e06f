/* retrieval_data.h — the released LRA Retrieval files (tsv_data/new_aan_pairs.{train,eval,test}.tsv),
 * read into memory so that lra/retrieval can serve them instead of generating. */
#ifndef ATTNBENCH_RETRIEVAL_DATA_H
#define ATTNBENCH_RETRIEVAL_DATA_H

#include <stdint.h>

#include "core/error.h"
#include "tasks/task.h"

typedef struct retrieval_data retrieval_data;

/* Read the three files of dir, keeping the first max_bytes bytes of each document
 * (after LRA's cut at 10,000 bytes). Errors name the file and line. */
int retrieval_data_load(retrieval_data **out, const char *dir, int max_bytes, error_info *err);
/* Row `index` of a split into out (buffers of max_bytes tokens each); an index past
 * the end of the file is an error naming the file and its size. */
int retrieval_data_example(const retrieval_data *d, enum task_split split, int64_t index, example *out,
                           error_info *err);
void retrieval_data_free(retrieval_data *d);

#endif
