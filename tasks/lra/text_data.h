/* text_data.h — released review files for lra/text, read into memory so that the task
 * can serve them instead of generating.
 *
 * Two layouts are read from a directory. If it holds train.tsv: train.tsv, test.tsv
 * and optionally eval.tsv, one review per line as `label<TAB>text` (label 0 or 1, the
 * text is the rest of the line, bytes as they are); without eval.tsv the eval split is
 * test.tsv. Otherwise the IMDb release (aclImdb): the directories train/pos, train/neg,
 * test/pos and test/neg of `<id>_<rating>.txt` files, one review per file (other names
 * are ignored), label 1 = pos; IMDb has no validation set, so the eval split is the
 * test set, as in LRA. */
#ifndef ATTNBENCH_TEXT_DATA_H
#define ATTNBENCH_TEXT_DATA_H

#include <stdint.h>

#include "core/error.h"
#include "tasks/task.h"

typedef struct text_data text_data;

/* Read every split of dir; reviews longer than max_bytes are cut there, as LRA's
 * pipeline does. Errors name the file (and line for TSV). */
int text_data_load(text_data **out, const char *dir, int max_bytes, error_info *err);
/* Example `index` of a split into out (buffers of max_bytes tokens). Within a split the
 * classes alternate, 0 first, each in file order (IMDb: file names in numeric order),
 * the larger class's surplus at the end, so any prefix is balanced. An index past the
 * end of a split is an error naming the split and its size. */
int text_data_example(const text_data *d, enum task_split split, int64_t index, example *out, error_info *err);
/* "released-imdb" or "released-tsv". */
const char *text_data_version(const text_data *d);
void text_data_free(text_data *d);

#endif
