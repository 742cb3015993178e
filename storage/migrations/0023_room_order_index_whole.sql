-- messages_conv_hlc holds every message, as before 0022. Partial (room
-- messages only), as 0022 once made it, it could not serve what reads the
-- order of all messages: the highest clock read at start scanned the table
-- instead of the index, and an export sorted each conversation whole
-- instead of reading it in order. What leaving out direct messages saved in
-- a batch of a large archive did not show beyond the spread between runs.
DROP INDEX IF EXISTS messages_conv_hlc;
CREATE INDEX messages_conv_hlc ON messages (conv, hlc, author, author_seq);
