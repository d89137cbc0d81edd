-- A run's name and tags, set by the researcher in the Pipeline view: how runs are told apart
-- and grouped the way W&B and TensorBoard name them. Tags: comma-separated, trimmed, no empty entries.
ALTER TABLE runs ADD COLUMN name TEXT;
ALTER TABLE runs ADD COLUMN tags TEXT NOT NULL DEFAULT '';
