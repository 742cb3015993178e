-- No change: this step keeps the numbering contiguous.
SELECT 1;
