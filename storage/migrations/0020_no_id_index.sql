-- Messages are found by id alone (an amendment names its target by id)
-- through the unique (author, id) index, one author at a time
-- (Store.MessagesWithID), rather than through an index of their own.
-- Ids are in no order (hashes, random bytes), so each message stored
-- wrote a page of that index anywhere in it: a quarter of the cost of
-- storing a batch of messages into a large archive.
DROP INDEX IF EXISTS messages_id;
