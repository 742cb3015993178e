-- Version 5 is reserved for the archive search index, which lives in its own
-- step. On its own this step changes nothing.
SELECT 1;
