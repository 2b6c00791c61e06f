/* speed_table.c — the speed leaderboard from the `bench` table: a row per mechanism, a
 * column per sequence length T, one table per model shape (dim, heads, layers).
 *
 * A row is a mechanism with the options the bench set, and the PyTorch peer's rows are
 * rows of their own. A cell is one measurement, not an aggregate: the latest bench row
 * for that label, length and shape (by created_at, then insertion order), whatever its
 * batch, since the bench derives the batch from T. Beside it, the ratio to full
 * attention of the same implementation at the same length, shown only where both used
 * the same batch. */
#define _POSIX_C_SOURCE 200809L
#include <ctype.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "core/check.h"
#include "report/leaderboard_internal.h"

/* A row's label: the mechanism, its --option settings, and the peer's name for rows the
 * peer measured ("full — PyTorch 1.13.1"). */
static const char latest_sql[] =
    "WITH labelled AS (\n"
    "  SELECT *, mechanism || CASE WHEN coalesce(options, '') <> '' THEN ' (' || options || ')' ELSE '' END\n"
    "         AS label,\n"
    "         CASE WHEN coalesce(implementation, 'attnbench') LIKE 'attnbench%%' THEN ''\n"
    "              ELSE ' — ' || implementation END AS peer\n"
    "  FROM bench),\n"
    "ranked AS (\n"
    "  SELECT dim, heads, layers, label || peer AS label, peer, length, batch, %s AS value,\n"
    "         row_number() OVER (PARTITION BY label, peer, length, dim, heads, layers\n"
    "                            ORDER BY created_at DESC, id DESC) AS k\n"
    "  FROM labelled WHERE %s IS NOT NULL AND mechanism IS NOT NULL)\n"
    "SELECT dim, heads, layers, label, length, batch, value, peer FROM ranked WHERE k = 1\n"
    "ORDER BY dim, heads, layers, peer, label, length";

typedef struct measurement {
    int dim, heads, layers;
    char *mechanism; /* the row label */
    char *peer;      /* "" for attnbench's rows, " — PyTorch …" for the peer's */
    int length, batch;
    double value;
} measurement;

typedef struct measurements {
    measurement *items;
    int n, capacity;
} measurements;

static int load(measurements *list, store *s, const metric_spec *m, error_info *err) {
    char sql[sizeof latest_sql + 128];
    snprintf(sql, sizeof sql, latest_sql, m->column, m->column);
    sqlite3_stmt *stmt = NULL;
    if (sqlite3_prepare_v2(store_db(s), sql, -1, &stmt, NULL) != SQLITE_OK)
        return error_set(err, EXIT_RUNTIME, "leaderboard: %s", sqlite3_errmsg(store_db(s)));
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        if (list->n == list->capacity) {
            list->capacity = list->capacity ? 2 * list->capacity : 32;
            list->items = realloc(list->items, (size_t)list->capacity * sizeof *list->items);
            CHECK(list->items != NULL);
        }
        measurement *x = &list->items[list->n++];
        *x = (measurement){
            .dim = sqlite3_column_int(stmt, 0), .heads = sqlite3_column_int(stmt, 1),
            .layers = sqlite3_column_int(stmt, 2), .mechanism = strdup((const char *)sqlite3_column_text(stmt, 3)),
            .length = sqlite3_column_int(stmt, 4), .batch = sqlite3_column_int(stmt, 5),
            .value = m->scale * sqlite3_column_double(stmt, 6),
            .peer = strdup((const char *)sqlite3_column_text(stmt, 7)),
        };
        CHECK(x->mechanism != NULL && x->peer != NULL);
    }
    if (rc != SQLITE_DONE) error_set(err, EXIT_RUNTIME, "leaderboard: %s", sqlite3_errmsg(store_db(s)));
    sqlite3_finalize(stmt);
    return rc == SQLITE_DONE ? 0 : -1;
}

static bool same_shape(const measurement *a, const measurement *b) {
    return a->dim == b->dim && a->heads == b->heads && a->layers == b->layers;
}

static int compare_int(const void *a, const void *b) {
    const int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

/* The distinct lengths of items[from, to), sorted; returns their number. */
static int lengths_of(const measurement *items, int from, int to, int *lengths) {
    int n = 0;
    for (int i = from; i < to; i++) {
        int k = 0;
        while (k < n && lengths[k] != items[i].length) k++;
        if (k == n) lengths[n++] = items[i].length;
    }
    qsort(lengths, (size_t)n, sizeof *lengths, compare_int);
    return n;
}

static const measurement *find(const measurement *items, int from, int to, const char *mechanism, int length) {
    for (int i = from; i < to; i++)
        if (items[i].length == length && strcmp(items[i].mechanism, mechanism) == 0) return &items[i];
    return NULL;
}

/* The table of the shape of items[from, to) (sorted by mechanism, then length). */
static void add_shape(table_doc *d, const leaderboard_plan *p, const measurement *items, int from, int to) {
    char id[96], title[160], label[32];
    snprintf(id, sizeof id, "bench.%s", p->metric.name);
    snprintf(title, sizeof title, "Training step speed: dim %d, %d heads, %d layers", items[from].dim,
             items[from].heads, items[from].layers);
    table *t = table_doc_add(d, id, title);
    t->decimals = p->metric.decimals;
    t->unit = p->metric.unit;
    int *lengths = malloc((size_t)(to - from) * sizeof *lengths);
    CHECK(lengths != NULL);
    const int n_lengths = lengths_of(items, from, to, lengths);
    table_add_column(t, "Mechanism", true, false);
    for (int l = 0; l < n_lengths; l++) {
        snprintf(label, sizeof label, "T=%d", lengths[l]);
        table_add_column(t, label, false, true);
    }
    for (int i = from; i < to; i++) {
        if (i > from && strcmp(items[i].mechanism, items[i - 1].mechanism) == 0) continue;
        table_row *row = table_add_row(t, ROW_OURS, NULL);
        table_cell_text(&row->cells[0], CELL_TEXT, items[i].mechanism);
        for (int l = 0; l < n_lengths; l++) {
            const measurement *x = find(items, from, to, items[i].mechanism, lengths[l]);
            char full_label[96];
            snprintf(full_label, sizeof full_label, "full%s", items[i].peer);
            const measurement *full = find(items, from, to, full_label, lengths[l]);
            if (!x) continue;
            table_cell *c = &row->cells[1 + l];
            free(c->text);
            *c = (table_cell){.kind = CELL_VALUE, .value = x->value};
            if (full && full != x && full->batch == x->batch && full->value != 0) {
                c->has_ratio = true;
                c->ratio = x->value / full->value;
            }
        }
    }
    for (int c = 1; c < t->n_columns; c++) table_mark_best(t, c, p->metric.direction);
    char what[96];
    snprintf(what, sizeof what, "%s", p->metric.what);
    what[0] = (char)toupper((unsigned char)what[0]);
    table_set_legend(t,
                     "%s of one training step (forward, backward, AdamW), as `attnbench bench` measures it, by "
                     "sequence length T: the latest `attnbench bench` measurement of each mechanism, length and model shape "
                     "(rows marked PyTorch are the peer's, from `attnbench bench --peer`); "
                     "bold = best per column (%s is better); (r×) = the ratio to full attention of the same "
                     "implementation at the same length and batch.",
                     what, p->metric.direction > 0 ? "higher" : "lower");
    free(lengths);
}

int speed_table_build(table_doc *d, store *s, const leaderboard_plan *p, bool *empty, error_info *err) {
    measurements list = {0};
    const int status = load(&list, s, &p->metric, err);
    *empty = list.n == 0;
    for (int from = 0, to; status == 0 && from < list.n; from = to) {
        for (to = from + 1; to < list.n && same_shape(&list.items[from], &list.items[to]);) to++;
        add_shape(d, p, list.items, from, to);
    }
    for (int i = 0; i < list.n; i++) free(list.items[i].mechanism), free(list.items[i].peer);
    free(list.items);
    return status;
}
