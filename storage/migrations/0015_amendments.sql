-- Replies, edits, deletes and reactions are messages that name another
-- message of their conversation by its author and id. History folds them
-- into that message (messages_ref finds them for a page); they are stored
-- and exported like any message, signed by their author.
ALTER TABLE messages ADD COLUMN ref_author TEXT NOT NULL DEFAULT '';
ALTER TABLE messages ADD COLUMN ref_id TEXT NOT NULL DEFAULT '';
CREATE INDEX messages_ref ON messages (conv, ref_id) WHERE ref_id <> '';

-- A message found by its id alone (hallway edit ID, reply ID, ...).
CREATE INDEX messages_id ON messages (id);

-- A delete or a reaction says nothing to search for: indexed with an empty
-- body (the view is 0012's but for that case).
DROP VIEW message_search;
CREATE VIEW message_search (seq, body, tag_conv, tag_author, tag_month, tag_kind) AS
SELECT seq,
       CASE WHEN kind = 'file' AND conv GLOB 'room:*' AND json_valid(text)
            THEN CAST(coalesce(json_extract(text, '$.name'), '') AS TEXT)
            WHEN kind IN ('create', 'add', 'remove', 'role', 'delete', 'react', 'unreact') THEN ''
            ELSE text END,
       char(57344, 57600 + unicode(substr(conv, -2, 1)), 57600 + unicode(substr(conv, -1))),
       char(57345, 57600 + unicode(substr(author, -2, 1)), 57600 + unicode(substr(author, -1))),
       CASE WHEN sent_at >= 0 AND sent_at < 4096 * 2592000000
            THEN char(57346, 57856 + sent_at / 2592000000 / 64, 57856 + sent_at / 2592000000 % 64)
            ELSE '' END,
       CASE WHEN kind = 'file' THEN char(57347, 57347, 57347) ELSE '' END
FROM messages;
