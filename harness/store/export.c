/* export.c — the SELECTs behind `attnbench export` (see export.h).
 *
 * Long form, one observation per row, so that pandas and R can pivot or group as they
 * like. Each row carries the run's identity (id, task, mechanism, positional encoding,
 * seed, config hash) next to its value; the positional encoding comes from the run's
 * config JSON, which the hash covers, so it is the same for every run of a hash. */
#include "store/export.h"

#include <string.h>

#include "core/strbuf.h"

#define POSITIONAL "json_extract(c.json, '$.model.positional') AS positional"
#define IDENTITY "r.id AS run_id, r.task, r.task_version, r.mechanism, " POSITIONAL ", r.seed, r.config_hash, r.status"

static const struct {
    const char *name;
    const char *select; /* up to WHERE */
    const char *order;  /* after the status filter */
} tables[] = {
    [EXPORT_RESULTS] = {"results",
                        "SELECT " IDENTITY ", x.split, x.name AS metric, x.value FROM run AS r "
                        "JOIN config AS c ON c.hash = r.config_hash JOIN result AS x ON x.run_id = r.id",
                        "ORDER BY r.task, r.mechanism, positional, r.seed, r.id, x.split, x.name"},
    [EXPORT_METRICS] = {"metrics",
                        "SELECT r.id AS run_id, r.task, r.mechanism, r.seed, m.step, m.split, m.name, m.value "
                        "FROM run AS r JOIN metric AS m ON m.run_id = r.id",
                        "ORDER BY r.task, r.mechanism, r.seed, r.id, m.split, m.name, m.step"},
    [EXPORT_LENGTHS] = {"lengths",
                        "SELECT " IDENTITY ", l.split, l.length, l.accuracy, l.sequence_accuracy, l.examples "
                        "FROM run AS r JOIN config AS c ON c.hash = r.config_hash "
                        "JOIN length_result AS l ON l.run_id = r.id",
                        "ORDER BY r.task, r.mechanism, positional, r.seed, r.id, l.split, l.length"},
    [EXPORT_RUNS] = {"runs", "SELECT * FROM runs AS r",
                     "ORDER BY r.task, r.mechanism, r.seed, r.created_at, r.id"},
};

bool export_table_from_name(const char *name, enum export_table *table) {
    for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++)
        if (strcmp(name, tables[i].name) == 0) {
            *table = (enum export_table)i;
            return true;
        }
    return false;
}

int export_csv(store *s, enum export_table table, bool all_status, FILE *out, error_info *err) {
    strbuf sql = {0};
    strbuf_printf(&sql, "%s WHERE %s %s", tables[table].select,
                  all_status ? "1" : "r.status = 'completed'", tables[table].order);
    int result = store_query(s, sql.data, QUERY_CSV, out, err);
    strbuf_free(&sql);
    return result;
}
