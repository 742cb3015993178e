-- The archive: full-text search over every message, authors' signatures on
-- direct messages, retention policies and legal holds. Times are unix
-- milliseconds.

-- The author's Ed25519 signature over a direct message's canonical bytes
-- (see crypto/dmsig.go); NULL for messages stored before signatures existed
-- and for room messages, whose signed envelopes live in room_envelopes.
ALTER TABLE messages ADD COLUMN sig BLOB;

-- Retention finds what is due per conversation by the earlier of the
-- author's clock and the local one, so a sender's clock set in the future
-- cannot keep a message past its time.
CREATE INDEX messages_expiry ON messages (conv, min(sent_at, received_at));

-- What the search index holds of each message: its text (body), except
-- for a room's file offer, whose text is the offer itself (JSON) and whose
-- searchable part is the file name. This view is the index's content
-- table, so snippets, 'rebuild' and 'integrity-check' all read through
-- this one definition.
--
-- The tag columns let a search filtered by conversation, author, month or
-- "has a file" narrow the index's matches inside the index, instead of
-- reading every match to throw most away. Each tag is three characters
-- from the Private Use Area, which no text holds, so the trigram tokenizer
-- makes exactly one token of it: a marker for the kind of tag, then two
-- characters from the last two of the conversation or author id, or the
-- number of the 30-day period since 1970 the author's time falls in, in
-- base 64. Tags narrow only: different ids may share one, and searches
-- check the real column too.
CREATE VIEW message_search (seq, body, tag_conv, tag_author, tag_month, tag_kind) AS
SELECT seq,
       CASE WHEN kind = 'file' AND conv GLOB 'room:*' AND json_valid(text)
            THEN CAST(coalesce(json_extract(text, '$.name'), '') AS TEXT)
            ELSE text END,
       char(57344, 57600 + unicode(substr(conv, -2, 1)), 57600 + unicode(substr(conv, -1))),
       char(57345, 57600 + unicode(substr(author, -2, 1)), 57600 + unicode(substr(author, -1))),
       CASE WHEN sent_at >= 0 AND sent_at < 4096 * 2592000000
            THEN char(57346, 57856 + sent_at / 2592000000 / 64, 57856 + sent_at / 2592000000 % 64)
            ELSE '' END,
       CASE WHEN kind = 'file' THEN char(57347, 57347, 57347) ELSE '' END
FROM messages;

-- Trigram tokens make every substring of three or more characters
-- searchable: parts of names and codes, and text without spaces (Chinese,
-- Japanese). remove_diacritics lets "cafe" find "café".
CREATE VIRTUAL TABLE message_fts USING fts5 (
    body, tag_conv, tag_author, tag_month, tag_kind,
    content = 'message_search',
    content_rowid = 'seq',
    tokenize = 'trigram remove_diacritics 1'
);

-- FTS5 merges its segments as it goes; merging after 8 rather than 4
-- segments of a level made batch inserts about a tenth faster without
-- slowing searches measurably (storage/archivebench_test.go).
INSERT INTO message_fts (message_fts, rank) VALUES ('automerge', 8);

-- New messages are indexed by one statement at the end of the transaction
-- that stores them (storage/messages.go, indexMessagesSQL), not by an
-- INSERT trigger: a trigger that writes the index makes SQLite open a
-- statement savepoint for every message, and FTS5 writes its pending
-- tokens to disk at every savepoint, which made batch inserts three times
-- slower. Deletes and edits are rare and go through triggers, which read
-- the old row through the view before it changes.
CREATE TRIGGER messages_fts_delete BEFORE DELETE ON messages BEGIN
    INSERT INTO message_fts (message_fts, rowid, body, tag_conv, tag_author, tag_month, tag_kind)
    SELECT 'delete', seq, body, tag_conv, tag_author, tag_month, tag_kind FROM message_search WHERE seq = old.seq;
END;

CREATE TRIGGER messages_fts_unindex BEFORE UPDATE OF text, kind, conv, author, sent_at ON messages BEGIN
    INSERT INTO message_fts (message_fts, rowid, body, tag_conv, tag_author, tag_month, tag_kind)
    SELECT 'delete', seq, body, tag_conv, tag_author, tag_month, tag_kind FROM message_search WHERE seq = old.seq;
END;

CREATE TRIGGER messages_fts_reindex AFTER UPDATE OF text, kind, conv, author, sent_at ON messages BEGIN
    INSERT INTO message_fts (rowid, body, tag_conv, tag_author, tag_month, tag_kind)
    SELECT seq, body, tag_conv, tag_author, tag_month, tag_kind FROM message_search WHERE seq = new.seq;
END;

-- Everything stored before this version.
INSERT INTO message_fts (message_fts) VALUES ('rebuild');

-- How long messages are kept: scope 'workspace' is the default for every
-- conversation, a conversation id ('room:<id>', 'dm:<peer id>') overrides
-- it. days = 0 keeps forever; no row at all keeps forever too.
CREATE TABLE retention_policies (
    scope      TEXT PRIMARY KEY CHECK (scope = 'workspace' OR scope GLOB 'room:?*' OR scope GLOB 'dm:?*'),
    days       INTEGER NOT NULL CHECK (days >= 0),
    updated_at INTEGER NOT NULL
) STRICT;

-- A legal hold suspends deletion of its scope (the whole workspace or one
-- conversation) until released. Released holds stay as a record of when
-- deletion was suspended and why.
CREATE TABLE legal_holds (
    id          TEXT PRIMARY KEY,
    scope       TEXT NOT NULL CHECK (scope = 'workspace' OR scope GLOB 'room:?*' OR scope GLOB 'dm:?*'),
    reason      TEXT NOT NULL DEFAULT '',
    created_at  INTEGER NOT NULL,
    released_at INTEGER NOT NULL DEFAULT 0
) STRICT;

CREATE INDEX legal_holds_active ON legal_holds (scope) WHERE released_at = 0;
