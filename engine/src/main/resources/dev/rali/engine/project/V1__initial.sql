-- RALI project schema, version 1. One statement per ';'-terminated block. Never edit a released migration:
-- add V2__*.sql instead (ProjectStore applies every migration newer than PRAGMA user_version, in order).

CREATE TABLE datasets (
    id              INTEGER PRIMARY KEY,
    name            TEXT NOT NULL UNIQUE,
    layout          TEXT NOT NULL,            -- koniq, spaq, livec, kadid, csiq, tid2013, pipal, agiqa, deqa, csv, folder, sample
    source_path     TEXT,                     -- where it was imported from
    score_min       REAL,                     -- nominal range of the raw MOS scale
    score_max       REAL,
    lower_is_better INTEGER NOT NULL DEFAULT 0,
    split_seed      INTEGER,                  -- seed of a generated split, NULL when the split is official
    params_json     TEXT,                     -- import options
    created_at      TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
);

CREATE TABLE images (
    id           INTEGER PRIMARY KEY,
    dataset_id   INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
    path         TEXT NOT NULL,               -- absolute path of the file
    name         TEXT NOT NULL,               -- the name the dataset's metadata uses (relative path)
    content_hash TEXT NOT NULL,               -- sha256 of the file bytes
    width        INTEGER,
    height       INTEGER,
    split        TEXT NOT NULL DEFAULT 'all', -- train, val, test, all
    reference    TEXT,                        -- reference (pristine) image name for synthetic datasets
    distortion   TEXT,                        -- distortion type/level where the dataset defines it
    UNIQUE (dataset_id, name)
);
CREATE INDEX images_hash ON images(dataset_id, content_hash);

CREATE TABLE mos (
    image_id   INTEGER PRIMARY KEY REFERENCES images(id) ON DELETE CASCADE,
    raw        REAL NOT NULL,                 -- the value as published
    normalised REAL NOT NULL,                 -- linearly rescaled to [1,5], higher is better
    std        REAL                           -- published standard deviation (raw scale), if any
);

CREATE TABLE traces (
    id           INTEGER PRIMARY KEY,
    image_id     INTEGER NOT NULL REFERENCES images(id) ON DELETE CASCADE,
    seed         INTEGER NOT NULL,
    source       TEXT NOT NULL,               -- model or file the trace came from
    raw_text     TEXT NOT NULL,               -- the full model output
    think        TEXT,                        -- the text between <think> and </think>
    answer       TEXT,                        -- the text between <answer> and </answer>
    score        REAL,                        -- rating parsed from the answer, NULL when it could not be parsed
    parse_status TEXT NOT NULL,               -- ok, no_think, no_answer, no_score, ...
    created_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
    UNIQUE (image_id, source, seed)
);

CREATE TABLE trace_audit (
    trace_id   INTEGER PRIMARY KEY REFERENCES traces(id) ON DELETE CASCADE,
    verdict    TEXT,                          -- ok, wrong, unsure
    note       TEXT,
    updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
);

CREATE TABLE runs (
    id           INTEGER PRIMARY KEY,
    stage        TEXT NOT NULL,               -- align, embed, pca, bases, score_definition, evaluate, demo, ...
    params_json  TEXT NOT NULL,
    seed         INTEGER,
    code_version TEXT NOT NULL,
    parent_run   INTEGER REFERENCES runs(id),
    started_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
    ended_at     TEXT,
    status       TEXT NOT NULL DEFAULT 'running', -- running, done, failed, cancelled
    message      TEXT
);

CREATE TABLE run_metrics (
    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    step   INTEGER NOT NULL,
    name   TEXT NOT NULL,
    value  REAL NOT NULL,
    PRIMARY KEY (run_id, name, step)
);

CREATE TABLE artifacts (
    id      INTEGER PRIMARY KEY,
    run_id  INTEGER REFERENCES runs(id) ON DELETE CASCADE,
    kind    TEXT NOT NULL,                    -- checkpoint, embeddings, pca, bases, bundle, table, ...
    path    TEXT NOT NULL,                    -- relative to the project's artifact folder
    sha256  TEXT NOT NULL,
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
);

CREATE TABLE predictions (
    run_id   INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    image_id INTEGER NOT NULL REFERENCES images(id) ON DELETE CASCADE,
    score    REAL NOT NULL,
    PRIMARY KEY (run_id, image_id)
);
