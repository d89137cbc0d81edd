-- Project-level settings (base encoder folder, default parameters, ...), one value per key.
CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
