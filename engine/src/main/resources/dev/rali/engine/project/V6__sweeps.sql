-- Hyperparameter sweeps (issue 12, docs/SWEEPS.md). A sweep is a list of points (one setting × one seed) worked
-- through by a persistent queue: a point is 'done' only once its pipeline run finished and its figures are stored,
-- so a process killed mid-point leaves it 'running' and the next `rali sweep resume` queues it again.
CREATE TABLE sweeps (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL,
    kind        TEXT NOT NULL,                  -- grid, random, table4, tableA5
    spec_json   TEXT NOT NULL,                  -- the definition as given (axes/space, seeds, base parameters, rules)
    status      TEXT NOT NULL DEFAULT 'queued', -- queued, running, done, cancelled, failed
    created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
    ended_at    TEXT,
    message     TEXT
);

CREATE TABLE sweep_points (
    id              INTEGER PRIMARY KEY,
    sweep_id        INTEGER NOT NULL REFERENCES sweeps(id) ON DELETE CASCADE,
    idx             INTEGER NOT NULL,           -- order in the queue
    setting         INTEGER NOT NULL,           -- points differing only in seed share a setting
    seed            INTEGER NOT NULL,
    assignment_json TEXT NOT NULL,              -- the swept keys' values, {"compression.dim": 8, ...}
    params_json     TEXT NOT NULL,              -- the full parameters of the point
    status          TEXT NOT NULL DEFAULT 'queued', -- queued, running, done, failed, cancelled, pruned
    cancel_requested INTEGER NOT NULL DEFAULT 0,
    run_id          INTEGER REFERENCES runs(id) ON DELETE SET NULL,
    val_metric      REAL,                       -- last validation PLCC of the score-definition fit
    test_plcc       REAL,                       -- average over the evaluated datasets (logistic PLCC)
    test_srcc       REAL,
    reuse_json      TEXT,                       -- what the point reused: {"align":"hit","head":"miss","embed_hits":..}
    seconds         REAL,
    started_at      TEXT,
    ended_at        TEXT,
    message         TEXT,
    UNIQUE (sweep_id, idx)
);
CREATE INDEX sweep_points_queue ON sweep_points(sweep_id, status, idx);

CREATE TABLE presets (
    name        TEXT PRIMARY KEY,
    params_json TEXT NOT NULL,
    source      TEXT,                           -- e.g. "sweep 3, setting 2 (best mean test PLCC)"
    created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
);
