/* schema.c — the database schema, as an ordered list of migrations.
 *
 * A database's PRAGMA user_version is the number of migrations applied to it. Opening
 * an older file runs the missing ones in order inside one transaction (store.c). The
 * entries here are never edited once released: a schema change is a new entry at the
 * end, and STORE_SCHEMA_VERSION in store.h moves with it. Times are ISO-8601 UTC
 * text ("2024-05-01T12:00:00.000Z"), so they sort and compare as strings.
 *
 * A migration may also have a C step, run after its SQL in the same transaction, for
 * what SQL alone cannot compute (schema 4 re-keys configs by their identity).
 *
 * The views `runs` and `results` are the documented surface for `attnbench query`;
 * reports and users should prefer them to the tables, which may grow columns. */
#include "store/store_internal.h"

static const char migration_1[] =
    /* One row per distinct resolved config: the canonical JSON and its hash (which
     * leaves out name, train.seed and train.threads). */
    "CREATE TABLE config (\n"
    "  hash TEXT PRIMARY KEY,\n"
    "  json TEXT NOT NULL\n"
    ");\n"
    /* One row per run: what it was (config, seed, task, mechanism), where it stands
     * (status, steps, heartbeat) and where it ran (host, pid). `planned` rows come from
     * sweeps; `dead` marks a `running` row whose process vanished. */
    "CREATE TABLE run (\n"
    "  id TEXT PRIMARY KEY,\n"
    "  config_hash TEXT NOT NULL REFERENCES config(hash),\n"
    "  seed INTEGER NOT NULL,\n"
    "  name TEXT NOT NULL,\n"
    "  task TEXT NOT NULL,\n"
    "  task_version TEXT NOT NULL,\n"
    "  mechanism TEXT NOT NULL,\n"
    "  status TEXT NOT NULL CHECK (status IN\n"
    "    ('planned', 'running', 'completed', 'failed', 'diverged', 'dead')),\n"
    "  created_at TEXT NOT NULL,\n"
    "  started_at TEXT,\n"
    "  finished_at TEXT,\n"
    "  heartbeat_at TEXT,\n"
    "  steps_done INTEGER NOT NULL DEFAULT 0,\n"
    "  wall_seconds REAL,\n"
    "  peak_rss_bytes REAL,\n"
    "  host TEXT,\n"
    "  pid INTEGER,\n"
    "  error TEXT,\n"
    "  sweep_id TEXT\n"
    ");\n"
    "CREATE INDEX run_config_seed ON run (config_hash, seed);\n"
    "CREATE INDEX run_status ON run (status);\n"
    /* The build and machine a run came from (one row per run). */
    "CREATE TABLE provenance (\n"
    "  run_id TEXT PRIMARY KEY REFERENCES run(id) ON DELETE CASCADE,\n"
    "  version TEXT,\n"
    "  git_commit TEXT,\n"
    "  compiler TEXT,\n"
    "  flags TEXT,\n"
    "  blas TEXT,\n"
    "  blas_threads INTEGER,\n"
    "  threads INTEGER,\n"
    "  cpu TEXT,\n"
    "  cpu_count INTEGER,\n"
    "  host TEXT,\n"
    "  os TEXT\n"
    ");\n"
    /* Training curves: one value per run, split, metric name and step. */
    "CREATE TABLE metric (\n"
    "  run_id TEXT NOT NULL REFERENCES run(id) ON DELETE CASCADE,\n"
    "  step INTEGER NOT NULL,\n"
    "  split TEXT NOT NULL,\n"
    "  name TEXT NOT NULL,\n"
    "  value REAL,\n"
    "  PRIMARY KEY (run_id, split, name, step)\n"
    ");\n"
    /* Final scalars of a completed run, per split ("test", "eval", ...) and name
     * ("accuracy", "loss", ...); written in the transaction that marks it completed. */
    "CREATE TABLE result (\n"
    "  run_id TEXT NOT NULL REFERENCES run(id) ON DELETE CASCADE,\n"
    "  split TEXT NOT NULL,\n"
    "  name TEXT NOT NULL,\n"
    "  value REAL,\n"
    "  PRIMARY KEY (run_id, split, name)\n"
    ");\n"
    /* Accuracy per test length, for length generalisation on formal-language tasks. */
    "CREATE TABLE length_result (\n"
    "  run_id TEXT NOT NULL REFERENCES run(id) ON DELETE CASCADE,\n"
    "  length INTEGER NOT NULL,\n"
    "  split TEXT NOT NULL,\n"
    "  accuracy REAL,\n"
    "  sequence_accuracy REAL,\n"
    "  examples INTEGER,\n"
    "  PRIMARY KEY (run_id, split, length)\n"
    ");\n"
    /* Speed and memory per training step by mechanism and shape (`attnbench bench`). */
    "CREATE TABLE bench (\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  run_id TEXT,\n"
    "  created_at TEXT,\n"
    "  mechanism TEXT,\n"
    "  length INTEGER,\n"
    "  batch INTEGER,\n"
    "  dim INTEGER,\n"
    "  heads INTEGER,\n"
    "  layers INTEGER,\n"
    "  steps_per_second REAL,\n"
    "  tokens_per_second REAL,\n"
    "  peak_rss_bytes REAL,\n"
    "  attention_gflops REAL,\n"
    "  threads INTEGER,\n"
    "  host TEXT\n"
    ");\n"
    /* A planned grid: its id (run.sweep_id) and the config it expanded. */
    "CREATE TABLE sweep (\n"
    "  id TEXT PRIMARY KEY,\n"
    "  created_at TEXT,\n"
    "  config_json TEXT\n"
    ");\n"
    /* View `runs`: one row per run with its test and eval accuracy as columns. */
    "CREATE VIEW runs AS\n"
    "SELECT r.id, r.name, r.task, r.mechanism, r.seed, r.status, r.config_hash,\n"
    "       r.created_at, r.finished_at, r.steps_done, r.wall_seconds,\n"
    "       (SELECT x.value FROM result x\n"
    "         WHERE x.run_id = r.id AND x.split = 'test' AND x.name = 'accuracy')\n"
    "         AS test_accuracy,\n"
    "       (SELECT x.value FROM result x\n"
    "         WHERE x.run_id = r.id AND x.split = 'eval' AND x.name = 'accuracy')\n"
    "         AS eval_accuracy\n"
    "FROM run r;\n"
    /* View `results`: one row per run, split and final metric. */
    "CREATE VIEW results AS\n"
    "SELECT r.id AS run_id, r.name, r.task, r.mechanism, r.seed, r.status,\n"
    "       x.split, x.name AS metric, x.value\n"
    "FROM run r JOIN result x ON x.run_id = r.id;\n";

static const char migration_2[] =
    /* Sweeps: a sweep is identified by its whole plan (the id is a hash of its
     * configs and seeds), so the same command run again, or on another machine with
     * another --shard, names the same sweep. */
    "ALTER TABLE sweep ADD COLUMN name TEXT;\n"
    "ALTER TABLE sweep ADD COLUMN source TEXT;\n"   /* the config file it expanded */
    "ALTER TABLE sweep ADD COLUMN planned INTEGER;\n" /* runs in the whole plan, all shards */
    /* Which runs make up a sweep, in plan order, and the overrides that turn the
     * sweep's config file into each one. A run may belong to several sweeps (a later
     * sweep that finds it completed links it rather than running it again). */
    "CREATE TABLE sweep_run (\n"
    "  sweep_id TEXT NOT NULL REFERENCES sweep(id) ON DELETE CASCADE,\n"
    "  run_id TEXT NOT NULL REFERENCES run(id) ON DELETE CASCADE,\n"
    "  position INTEGER NOT NULL,\n"
    "  overrides TEXT NOT NULL,\n" /* JSON array of \"key.path=value\" */
    "  PRIMARY KEY (sweep_id, run_id)\n"
    ");\n"
    "CREATE INDEX sweep_run_run ON sweep_run (run_id);\n"
    "CREATE INDEX run_heartbeat ON run (status, heartbeat_at);\n"
    /* View `runs` gains where and why: new columns go at the end, so queries written
     * against version 1 keep working. */
    "DROP VIEW runs;\n"
    "CREATE VIEW runs AS\n"
    "SELECT r.id, r.name, r.task, r.mechanism, r.seed, r.status, r.config_hash,\n"
    "       r.created_at, r.finished_at, r.steps_done, r.wall_seconds,\n"
    "       (SELECT x.value FROM result x\n"
    "         WHERE x.run_id = r.id AND x.split = 'test' AND x.name = 'accuracy')\n"
    "         AS test_accuracy,\n"
    "       (SELECT x.value FROM result x\n"
    "         WHERE x.run_id = r.id AND x.split = 'eval' AND x.name = 'accuracy')\n"
    "         AS eval_accuracy,\n"
    "       r.task_version, r.started_at, r.heartbeat_at, r.host, r.pid, r.error,\n"
    "       r.peak_rss_bytes, r.sweep_id\n"
    "FROM run r;\n";

static const char migration_3[] =
    /* The bench measures more, and not only attnbench: rows from before have NULL here. */
    "ALTER TABLE bench ADD COLUMN implementation TEXT;\n" /* 'attnbench 0.1.0', 'PyTorch 1.13.1' */
    "ALTER TABLE bench ADD COLUMN options TEXT;\n"        /* mechanism options set, 'key=value …'; '' none */
    "ALTER TABLE bench ADD COLUMN mlp_dim INTEGER;\n"
    "ALTER TABLE bench ADD COLUMN attention_seconds REAL;\n" /* mechanism fwd + bwd, all layers, timed alone */
    "ALTER TABLE bench ADD COLUMN sgemm_gflops REAL;\n";     /* OpenBLAS sgemm measured in the same bench run */

static const char migration_4[] =
    /* Tasks are placed by their registration: each run records its task's suite, level
     * and order, so that reports read them from the database alone. Old rows are filled
     * in by the C step (schema_v4.c), which also re-keys every config by its identity
     * (what differs from the defaults) and renames the sweeps whose plans it changed. */
    "ALTER TABLE run ADD COLUMN suite TEXT NOT NULL DEFAULT '';\n" /* 'lra', 'chomsky', ... */
    "ALTER TABLE run ADD COLUMN level TEXT NOT NULL DEFAULT '';\n" /* 'R', 'DCF', 'CS'; '' none */
    "ALTER TABLE run ADD COLUMN task_order INTEGER;\n"              /* place in the suite; NULL unknown */
    "CREATE INDEX run_suite ON run (suite, status);\n"
    /* View `runs` gains them at the end, so queries written against version 2 keep working. */
    "DROP VIEW runs;\n"
    "CREATE VIEW runs AS\n"
    "SELECT r.id, r.name, r.task, r.mechanism, r.seed, r.status, r.config_hash,\n"
    "       r.created_at, r.finished_at, r.steps_done, r.wall_seconds,\n"
    "       (SELECT x.value FROM result x\n"
    "         WHERE x.run_id = r.id AND x.split = 'test' AND x.name = 'accuracy')\n"
    "         AS test_accuracy,\n"
    "       (SELECT x.value FROM result x\n"
    "         WHERE x.run_id = r.id AND x.split = 'eval' AND x.name = 'accuracy')\n"
    "         AS eval_accuracy,\n"
    "       r.task_version, r.started_at, r.heartbeat_at, r.host, r.pid, r.error,\n"
    "       r.peak_rss_bytes, r.sweep_id, r.suite, r.level, r.task_order\n"
    "FROM run r;\n";

const store_migration store_migrations[] = {
    {1, migration_1, NULL},
    {2, migration_2, NULL},
    {3, migration_3, NULL},
    {4, migration_4, store_migrate_v4},
};

#define MIGRATION_COUNT (sizeof store_migrations / sizeof store_migrations[0])
_Static_assert(MIGRATION_COUNT == STORE_SCHEMA_VERSION,
               "STORE_SCHEMA_VERSION must equal the number of migrations");

const int store_migration_count = (int)MIGRATION_COUNT;
