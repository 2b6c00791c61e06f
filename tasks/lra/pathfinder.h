/* pathfinder.h — LRA Pathfinder and Path-X: the renderer's parameters from the task
 * options and the generator of one example, exposed so that tests can render exactly
 * what a task example holds and look at the scene behind it. */
#ifndef ATTNBENCH_PATHFINDER_H
#define ATTNBENCH_PATHFINDER_H

#include <stdint.h>

#include "core/options.h"
#include "core/error.h"
#include "tasks/lra/snakes.h"
#include "tasks/task.h"

/* The renderer's parameters: the preset of task.resolution (the arguments of the LRA
 * builders for pathfinder32/64/128/256) with the options that override it. Errors
 * (EXIT_USAGE) name the option at fault. */
int pathfinder_params(const opt_set *options, snakes_params *out, error_info *err);

/* Example (seed, split, index): the label, drawn first and 50/50 from the stream
 * rng_key(seed, split, index, 0), then the image from the same stream into grey
 * (size² bytes). scene as in snakes_render. */
int pathfinder_generate(const snakes_params *p, uint64_t seed, enum task_split split, int64_t index,
                        uint8_t *grey, int *label, snakes_scene *scene, error_info *err);

#endif
