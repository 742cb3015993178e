-- Room invitations waiting for the user's consent. A colleague's invitation
-- joins nothing until the user accepts it; until then its room key waits
-- here, and declining deletes it. One row per room and inviter: a repeat
-- replaces the earlier one. Times are unix milliseconds.

CREATE TABLE room_invites (
    id          TEXT PRIMARY KEY,
    room        TEXT NOT NULL,
    inviter     TEXT NOT NULL,
    name        TEXT NOT NULL,
    key         BLOB NOT NULL CHECK (length(key) = 32),
    received_at INTEGER NOT NULL,
    UNIQUE (room, inviter)
) STRICT;

CREATE INDEX room_invites_inviter ON room_invites (inviter);
