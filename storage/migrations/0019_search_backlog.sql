-- Messages are indexed for search after they are committed, not in the
-- commit that stores them: a commit adds the message's seq to
-- search_backlog, and the store indexes the backlog in a transaction of
-- its own a moment later, many messages at once, and before any search
-- (storage/backlog.go). Indexing one message in its own durable commit
-- cost as much as the rest of the commit: the full-text index wrote a
-- segment for it and merged segments as they piled up.
--
-- The backlog is written in the same transaction as the message, so a
-- message is always either indexed or in the backlog, crash or not.
CREATE TABLE search_backlog (
    seq INTEGER PRIMARY KEY
) STRICT;

-- A message still in the backlog is not in the index: erasing, editing or
-- deleting it must not take out of the index what it never put there
-- (FTS5 would subtract tokens it does not hold and corrupt the index).
-- Its row is indexed as it is when the backlog is worked off; a deleted
-- row is not indexed at all.
DROP TRIGGER messages_fts_delete;
CREATE TRIGGER messages_fts_delete BEFORE DELETE ON messages
WHEN NOT EXISTS (SELECT 1 FROM search_backlog WHERE seq = old.seq) BEGIN
    INSERT INTO message_fts (message_fts, rowid, body, tag_conv, tag_author, tag_month, tag_kind)
    SELECT 'delete', seq, body, tag_conv, tag_author, tag_month, tag_kind FROM message_search WHERE seq = old.seq;
END;

DROP TRIGGER messages_fts_unindex;
CREATE TRIGGER messages_fts_unindex BEFORE UPDATE OF text, kind, conv, author, sent_at ON messages
WHEN NOT EXISTS (SELECT 1 FROM search_backlog WHERE seq = old.seq) BEGIN
    INSERT INTO message_fts (message_fts, rowid, body, tag_conv, tag_author, tag_month, tag_kind)
    SELECT 'delete', seq, body, tag_conv, tag_author, tag_month, tag_kind FROM message_search WHERE seq = old.seq;
END;

DROP TRIGGER messages_fts_reindex;
CREATE TRIGGER messages_fts_reindex AFTER UPDATE OF text, kind, conv, author, sent_at ON messages
WHEN NOT EXISTS (SELECT 1 FROM search_backlog WHERE seq = new.seq) BEGIN
    INSERT INTO message_fts (rowid, body, tag_conv, tag_author, tag_month, tag_kind)
    SELECT seq, body, tag_conv, tag_author, tag_month, tag_kind FROM message_search WHERE seq = new.seq;
END;
