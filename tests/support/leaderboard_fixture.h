/* leaderboard_fixture.h — a results database with fixed numbers for the leaderboard
 * tests, written through the store API: LRA runs of several mechanisms on all six
 * tasks (seeds, a config and seed completed twice, a failed and a running run that
 * must not count, two window sizes of one mechanism), Chomsky runs with per-length
 * results, and bench rows (a superseded measurement, a second model shape). */
#ifndef ATTNBENCH_LEADERBOARD_FIXTURE_H
#define ATTNBENCH_LEADERBOARD_FIXTURE_H

/* Create the database at path; aborts the test on failure. */
void leaderboard_fixture_create(const char *path);

#endif
