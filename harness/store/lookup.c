/* lookup.c — naming a run or a sweep on the command line: by a unique prefix of its id
 * (as git names commits), or a sweep by its config's name (the latest such sweep). */
#include <stdio.h>
#include <string.h>

#include "store/store_internal.h"
#include "store/sweep.h"

/* The unique id matching sql's ?1 (a LIKE pattern) and ?2 (the text itself). */
static int find_unique(store *s, const char *sql, const char *reference, const char *what, char id[33],
                       error_info *err) {
    sqlite3_stmt *stmt = NULL;
    if (store_prepare(s, sql, &stmt, err)) return -1;
    char pattern[80];
    snprintf(pattern, sizeof pattern, "%s%%", reference);
    store_bind_text(stmt, 1, pattern);
    store_bind_text(stmt, 2, reference);
    int found = 0, rc;
    char other[33] = "";
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        if (found == 0) snprintf(id, 33, "%s", store_column_text(stmt, 0));
        else if (found == 1) snprintf(other, sizeof other, "%s", store_column_text(stmt, 0));
        found++;
    }
    sqlite3_finalize(stmt);
    if (rc != SQLITE_DONE) return store_fail_sql(s, "cannot look up ids", err);
    if (found == 0) return error_set(err, EXIT_USAGE, "%s: no %s \"%s\"", s->path, what, reference);
    if (found > 1)
        return error_set(err, EXIT_USAGE, "%s: \"%s\" names %d %ss (%.12s…, %.12s…); give more of the id", s->path,
                         reference, found, what, id, other);
    return 0;
}

static bool looks_like_id(const char *text) {
    const size_t n = strlen(text);
    return n >= 4 && n <= 32 && strspn(text, "0123456789abcdef") == n;
}

int store_run_find(store *s, const char *reference, char id[33], error_info *err) {
    if (!looks_like_id(reference))
        return error_set(err, EXIT_USAGE, "run \"%s\": expected a run id or a prefix of at least 4 hex digits",
                         reference);
    return find_unique(s, "SELECT id FROM run WHERE id LIKE ?1 LIMIT 2", reference, "run", id, err);
}

int store_sweep_find(store *s, const char *reference, char id[33], error_info *err) {
    if (!reference || !reference[0])
        return find_unique(s, "SELECT id FROM sweep WHERE ?2 = ?2 ORDER BY created_at DESC, id LIMIT 1", "", "sweep",
                           id, err);
    if (looks_like_id(reference))
        return find_unique(s, "SELECT id FROM sweep WHERE id LIKE ?1 LIMIT 2", reference, "sweep", id, err);
    return find_unique(s, "SELECT id FROM sweep WHERE name = ?2 ORDER BY created_at DESC LIMIT 1", reference,
                       "sweep", id, err);
}
