/* config_bind.h — a YAML tree (overrides already applied) → experiment_config.
 *
 * Binding walks the sections in a fixed order (name, task, model, train) and, inside
 * each, the keys in the order they were written, so the first problem reported is the
 * first one a reader of the file would meet. The sweep section is only checked to be
 * a key of the top level; config.c binds its axes. */
#ifndef ATTNBENCH_CONFIG_BIND_H
#define ATTNBENCH_CONFIG_BIND_H

#include "config/config.h"
#include "config/ytree.h"
#include "core/error.h"

/* Fill cfg (sweep left empty) from root, a mapping whose keys passed ytree_check_keys;
 * source names the file in errors and gives the default name (its stem). */
int config_bind(experiment_config *cfg, const ytree_node *root, const char *source, error_info *err);

/* The section's value as a mapping: NULL when absent or null; an error otherwise. */
int config_bind_mapping(const ytree_node *node, const char *path, const char *source,
                        const ytree_node **mapping, error_info *err);

#endif
