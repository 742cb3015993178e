-- Room codes: what a member knows of the codes issued for its rooms, from
-- the sealed records in each room. The token itself is never kept, only its
-- hash (bound to the room) and the lookup id a joiner names it by. A row
-- with issuer '' was revoked before its issue record arrived.
CREATE TABLE room_codes (
    room       TEXT    NOT NULL,
    hash       BLOB    NOT NULL,
    lookup     BLOB,
    issuer     TEXT    NOT NULL DEFAULT '',
    issued_hlc INTEGER NOT NULL DEFAULT 0,
    expires_at INTEGER NOT NULL DEFAULT 0,
    max_uses   INTEGER NOT NULL DEFAULT 0,
    revoked    INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (room, hash)
) WITHOUT ROWID;
CREATE INDEX room_codes_lookup ON room_codes (room, lookup);

-- Who joined by which code: a code's uses are its distinct joiners.
CREATE TABLE room_code_uses (
    room   TEXT    NOT NULL,
    hash   BLOB    NOT NULL,
    joiner TEXT    NOT NULL,
    at     INTEGER NOT NULL,
    PRIMARY KEY (room, hash, joiner)
) WITHOUT ROWID;

-- "Revoke every code": codes issued at or before this room clock value.
CREATE TABLE room_codes_revoked (
    room   TEXT    PRIMARY KEY,
    before INTEGER NOT NULL
) WITHOUT ROWID;
