-- An author's envelopes are found through the primary key (room, author,
-- seq); room_envelopes_author held the same keys again with the clock,
-- so that serving a peer by author read no row of the table. Storing an
-- envelope wrote a page of it near each author's end, as many pages per
-- batch as authors in it: a fifth of what a batch of messages wrote to
-- a large archive. Serving by author now reads each row's clock from the
-- table (storage/roomsync.go).
DROP INDEX IF EXISTS room_envelopes_author;
