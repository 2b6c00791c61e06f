/* sha256.h — SHA-256, for config hashes and the golden hashes of task generators.
 *
 * A config hash decides which runs a sweep skips and a golden hash pins a benchmark's
 * data, so both use a cryptographic digest rather than a fast 64-bit one. */
#ifndef ATTNBENCH_SHA256_H
#define ATTNBENCH_SHA256_H

#include <stddef.h>
#include <stdint.h>

typedef struct sha256 {
    uint32_t state[8];
    uint64_t length;
    uint8_t block[64];
    size_t used;
} sha256;

void sha256_init(sha256 *h);
void sha256_update(sha256 *h, const void *data, size_t size);
/* Writes 64 lowercase hex digits and a terminating NUL into hex. */
void sha256_final_hex(sha256 *h, char hex[65]);

#endif
