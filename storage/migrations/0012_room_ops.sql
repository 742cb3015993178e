-- Room membership operations (create, add, join, leave, remove, role), as
-- their signed envelopes carry them; every member replays them to know who
-- is in a room and with which role. hash is the SHA-256 of the envelope,
-- which later operations name as a parent; id is the envelope's id, the
-- tie-break of the replay order. The envelope itself is in room_envelopes.
CREATE TABLE room_ops (
    room   TEXT    NOT NULL,
    hash   BLOB    NOT NULL CHECK (length(hash) = 32),
    id     TEXT    NOT NULL,
    author TEXT    NOT NULL,
    seq    INTEGER NOT NULL,
    op     BLOB    NOT NULL,
    name   TEXT    NOT NULL DEFAULT '', -- the display name the author signed
    PRIMARY KEY (room, hash)
) WITHOUT ROWID;

-- The add operation behind a pending invitation, which the join names.
ALTER TABLE room_invites ADD COLUMN add_op BLOB;

-- A membership operation's message is not conversation: search indexes
-- it with an empty body (the view is 0005's but for that case).
DROP VIEW message_search;
CREATE VIEW message_search (seq, body, tag_conv, tag_author, tag_month, tag_kind) AS
SELECT seq,
       CASE WHEN kind = 'file' AND conv GLOB 'room:*' AND json_valid(text)
            THEN CAST(coalesce(json_extract(text, '$.name'), '') AS TEXT)
            WHEN kind IN ('create', 'add', 'remove', 'role') THEN ''
            ELSE text END,
       char(57344, 57600 + unicode(substr(conv, -2, 1)), 57600 + unicode(substr(conv, -1))),
       char(57345, 57600 + unicode(substr(author, -2, 1)), 57600 + unicode(substr(author, -1))),
       CASE WHEN sent_at >= 0 AND sent_at < 4096 * 2592000000
            THEN char(57346, 57856 + sent_at / 2592000000 / 64, 57856 + sent_at / 2592000000 % 64)
            ELSE '' END,
       CASE WHEN kind = 'file' THEN char(57347, 57347, 57347) ELSE '' END
FROM messages;
