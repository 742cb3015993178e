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
