-- No schema change at this version.
SELECT 1;
