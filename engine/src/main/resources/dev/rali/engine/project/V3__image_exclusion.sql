-- Images the stages leave out: NULL = used; otherwise why ("unreadable: <reason>" when a stage could not decode it,
-- "excluded by the user" from the app). `rali dataset remove-image` deletes such rows for good.
ALTER TABLE images ADD COLUMN excluded TEXT;
