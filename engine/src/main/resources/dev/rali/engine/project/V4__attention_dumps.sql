-- Attention dumps of reasoning models (docs/ATTENTION_FORMAT.md), imported by `rali attention import`. The files
-- live in NAME.rali.d/attention/<folder>/; a dump is linked to the project's image and trace when they match.
CREATE TABLE attention_dumps (
    id          INTEGER PRIMARY KEY,
    folder      TEXT NOT NULL UNIQUE,          -- under the artifact folder's attention/
    source_path TEXT NOT NULL,                 -- the folder it was imported from
    sha256      TEXT NOT NULL UNIQUE,          -- of attention.safetensors: the same dump is imported once
    image_id    INTEGER REFERENCES images(id) ON DELETE SET NULL,
    trace_id    INTEGER REFERENCES traces(id) ON DELETE SET NULL,
    model       TEXT,
    tokens      INTEGER NOT NULL,
    layers      INTEGER NOT NULL,
    heads       INTEGER NOT NULL,
    queries     INTEGER NOT NULL,
    imported_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
);
CREATE INDEX attention_dumps_image ON attention_dumps(image_id);
