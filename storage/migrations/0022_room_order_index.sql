-- Only room messages have a display order by clock (hlc, author, seq);
-- a direct message's clock is 0. messages_conv_hlc now holds room
-- messages alone: storing a batch wrote a page of it at the end of every
-- direct conversation in the batch, most of what the index cost. A query
-- that reads it says "conv GLOB 'room:*'" in so many words, which is how
-- SQLite knows that the partial index holds every row it asks for
-- (storage/messages.go, roomOnly).
DROP INDEX IF EXISTS messages_conv_hlc;
CREATE INDEX messages_conv_hlc ON messages (conv, hlc, author, author_seq) WHERE conv GLOB 'room:*';
