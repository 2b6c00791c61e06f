/* png_io.h — 8-bit grey PNG files, through libpng's simplified API.
 *
 * The image tasks read the released Pathfinder PNGs with it, and `attnbench data
 * --png` writes generated images so that a person can look at them. */
#ifndef ATTNBENCH_PNG_IO_H
#define ATTNBENCH_PNG_IO_H

#include <stdint.h>

#include "core/error.h"

/* Read a PNG of any colour type as 8-bit grey (colour converted by libpng's default
 * weights); *pixels is malloc'ed (width*height, row-major). Errors name the file. */
int png_read_grey(const char *path, uint8_t **pixels, int *width, int *height, error_info *err);
/* Write 8-bit grey pixels (width*height, row-major) as a PNG. Errors name the file. */
int png_write_grey(const char *path, const uint8_t *pixels, int width, int height, error_info *err);

#endif
