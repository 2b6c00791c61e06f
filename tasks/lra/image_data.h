/* image_data.h — CIFAR-10's binary release (data_batch_{1..5}.bin, test_batch.bin) read
 * into memory as grey levels, so that lra/image can serve it instead of generating. */
#ifndef ATTNBENCH_IMAGE_DATA_H
#define ATTNBENCH_IMAGE_DATA_H

#include <stdint.h>

#include "core/error.h"
#include "tasks/task.h"

typedef struct image_data image_data;

/* Read the six files of dir. Errors name the file and, for bad contents, the record. */
int image_data_load(image_data **out, const char *dir, error_info *err);
/* Example `index` of a split into out (buffers of 1,024 tokens); an index past the end
 * of the split is an error naming its size. */
int image_data_example(const image_data *d, enum task_split split, int64_t index, example *out,
                       error_info *err);
void image_data_free(image_data *d);

#endif
