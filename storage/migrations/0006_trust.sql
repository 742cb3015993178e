-- Trust and people: colleagues the user verified in person (with the name
-- and fingerprint they had then, so a later change is visible), labels that
-- group colleagues ("Accounting"), and read markers of direct conversations
-- (rooms keep theirs in rooms.last_read_hlc). Times are unix milliseconds.

CREATE TABLE verified_peers (
    peer        TEXT PRIMARY KEY,
    name        TEXT NOT NULL DEFAULT '',
    fingerprint TEXT NOT NULL,
    verified_at INTEGER NOT NULL
) STRICT;

-- One label per colleague: the group the sidebar shows them under.
CREATE TABLE peer_labels (
    peer  TEXT PRIMARY KEY,
    label TEXT NOT NULL CHECK (length(label) BETWEEN 1 AND 64)
) STRICT;

-- last_read_seq only grows. Conversations that exist when this step runs
-- start read, so upgrading does not flag a whole history as unread.
CREATE TABLE conv_reads (
    conv          TEXT PRIMARY KEY,
    last_read_seq INTEGER NOT NULL DEFAULT 0
) STRICT;

INSERT INTO conv_reads (conv, last_read_seq)
SELECT conv, max(seq) FROM messages WHERE conv LIKE 'dm:%' GROUP BY conv;
