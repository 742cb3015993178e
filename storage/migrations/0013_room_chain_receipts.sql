-- Room chains and receipts.
--
-- Each author's envelopes in a room chain: the sealed body of seq n names
-- the SHA-256 of the author's envelope of seq n-1 (prev, NULL for bodies
-- that name none). link is the SHA-256 of raw, the value the next
-- envelope names; rows stored before this migration have NULL and are
-- hashed when read.
ALTER TABLE room_envelopes ADD COLUMN prev BLOB;
ALTER TABLE room_envelopes ADD COLUMN link BLOB;

-- Room receipts: the latest signed, sealed receipt of each member (what it
-- holds of each author and how far it has read), as the member sent it, so
-- it can be served on in sync. at is the member's own clock (unix ms):
-- only a newer receipt replaces a stored one.
CREATE TABLE room_receipts (
    room   TEXT    NOT NULL,
    member TEXT    NOT NULL,
    at     INTEGER NOT NULL,
    raw    BLOB    NOT NULL,
    PRIMARY KEY (room, member)
) STRICT, WITHOUT ROWID;
