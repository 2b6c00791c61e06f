/* check.h — always-on assertions for programming errors.
 *
 * Expected failures (bad config, missing file, locked database) travel back as an
 * error_info; a CHECK is for states that mean the program itself is wrong, so it is
 * never compiled out, prints where it fired and aborts. */
#ifndef ATTNBENCH_CHECK_H
#define ATTNBENCH_CHECK_H

#include <stdio.h>
#include <stdlib.h>

#define CHECK(cond)                                                                      \
    do {                                                                                 \
        if (!(cond)) {                                                                   \
            fprintf(stderr, "attnbench: internal check failed at %s:%d: %s\n", __FILE__, \
                    __LINE__, #cond);                                                    \
            abort();                                                                     \
        }                                                                                \
    } while (0)

#endif
