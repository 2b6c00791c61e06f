/* ytree.h — a YAML document as a small tree of mappings, sequences and scalars.
 *
 * The config loader works on this tree rather than on libyaml's events so that
 * command-line overrides can be spliced in before binding and so that a sweep value
 * can be tried on a copy. Every node remembers where it came from (a ytree_mark): a
 * line and column of the source file, or the override text that created it, and
 * errors are formatted from that mark the same way everywhere:
 *   config.yaml:12:10: model.heads: <message>
 *   command line: model.heads=four: <message>
 * Aliases are expanded into copies; the tree is bounded in depth and size so that
 * hostile input (deep nesting, alias bombs) is an error rather than a crash. */
#ifndef ATTNBENCH_YTREE_H
#define ATTNBENCH_YTREE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/error.h"

#define YTREE_DEPTH_MAX 64
#define YTREE_NODES_MAX 10000

typedef struct ytree_mark {
    int line, column;     /* 1-based position in the source; line 0 = the source as a whole */
    const char *override; /* the "key.path=value" text that created the node, or NULL */
} ytree_mark;

enum ytree_kind { YTREE_SCALAR, YTREE_SEQUENCE, YTREE_MAPPING };

typedef struct ytree_node {
    enum ytree_kind kind;
    ytree_mark mark;
    char *text; /* SCALAR: the value, NUL-terminated (a NUL inside is rejected) */
    bool plain; /* SCALAR: written without quotes, so "", ~ and null mean null */
    int n;      /* SEQUENCE: items; MAPPING: 2 × pairs (key, value, key, value, ...) */
    int capacity;
    struct ytree_node **items;
} ytree_node;

/* Parse one YAML document. *root is NULL when the text holds no document (empty, or
 * only comments). With override non-NULL every node is marked with it and errors
 * read "command line: <override>: ...", else marks are positions in source. */
int ytree_parse(ytree_node **root, const char *text, size_t size, const char *source, const char *override,
                error_info *err);

/* A new scalar (text copied) or an empty sequence or mapping. */
ytree_node *ytree_new(enum ytree_kind kind, ytree_mark mark, const char *text);
void ytree_append(ytree_node *container, ytree_node *item);
ytree_node *ytree_copy(const ytree_node *node);
void ytree_free(ytree_node *node);
/* Give node and everything under it this mark. */
void ytree_remark(ytree_node *node, ytree_mark mark);

/* The value of key in a mapping (the first, if given twice), or NULL. */
ytree_node *ytree_get(const ytree_node *mapping, const char *key);
/* Set path[0].path[1]...path[n-1] in mapping to value (taking ownership): a missing
 * key is created and a value that is not a mapping on the way is replaced by one,
 * both marked with mark. */
void ytree_set(ytree_node *mapping, const char *const *path, int n_path, ytree_node *value, ytree_mark mark);

/* A plain "", "~" or "null" scalar. */
bool ytree_is_null(const ytree_node *node);
/* "a mapping", "a sequence" or "a scalar". */
const char *ytree_kind_name(enum ytree_kind kind);

/* Every mapping key under node is a scalar and none is given twice in one mapping;
 * path is node's key path ("" at the top) for the messages. */
int ytree_check_keys(const ytree_node *node, const char *path, const char *source, error_info *err);

/* Fill err (EXIT_USAGE) with "<where>: <path>: <message>" where <where> comes from
 * mark and source (see above); path may be NULL. Returns -1. */
int ytree_error(error_info *err, const char *source, const ytree_mark *mark, const char *path,
                const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* Put "<where>: <path>" in front of a message already in err. Returns -1. */
int ytree_prefix(error_info *err, const char *source, const ytree_mark *mark, const char *path);

#endif
