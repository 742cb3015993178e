-- The full-text index merges its segments 16 at a time rather than 8.
-- Each transaction adds a segment; with 8, a message committed on its own
-- (a direct message) paid for a merge of the small segments every 64
-- commits, about 20 ms once the archive held a few thousand messages.
INSERT INTO message_fts (message_fts, rank) VALUES ('automerge', 16);
