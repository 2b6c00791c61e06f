/* png_io.c — 8-bit grey PNG files (see png_io.h). */
#include "core/png_io.h"

#include <png.h>
#include <stdlib.h>
#include <string.h>

#include "core/check.h"

int png_read_grey(const char *path, uint8_t **pixels, int *width, int *height, error_info *err) {
    png_image image;
    memset(&image, 0, sizeof image);
    image.version = PNG_IMAGE_VERSION;
    *pixels = NULL;
    if (!png_image_begin_read_from_file(&image, path))
        return error_set(err, EXIT_RUNTIME, "%s: cannot read PNG: %s", path, image.message);
    image.format = PNG_FORMAT_GRAY;
    size_t size = PNG_IMAGE_SIZE(image);
    uint8_t *buffer = malloc(size ? size : 1);
    CHECK(buffer != NULL);
    if (!png_image_finish_read(&image, NULL, buffer, 0, NULL)) {
        free(buffer);
        png_image_free(&image);
        return error_set(err, EXIT_RUNTIME, "%s: cannot decode PNG: %s", path, image.message);
    }
    *pixels = buffer;
    *width = (int)image.width;
    *height = (int)image.height;
    return 0;
}

int png_write_grey(const char *path, const uint8_t *pixels, int width, int height, error_info *err) {
    CHECK(width > 0 && height > 0);
    png_image image;
    memset(&image, 0, sizeof image);
    image.version = PNG_IMAGE_VERSION;
    image.width = (png_uint_32)width;
    image.height = (png_uint_32)height;
    image.format = PNG_FORMAT_GRAY;
    if (!png_image_write_to_file(&image, path, 0, pixels, 0, NULL))
        return error_set(err, EXIT_RUNTIME, "%s: cannot write PNG: %s", path, image.message);
    return 0;
}
