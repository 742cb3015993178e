-- Room forks: an author signed two different envelopes under one seq. The
-- log keeps the first one held; each row here keeps both, as evidence a
-- reader can check offline. digest names the other envelope, so the same
-- one arriving again is not a second row; rows are capped per author.
CREATE TABLE room_forks (
    room     TEXT    NOT NULL,
    author   TEXT    NOT NULL,
    seq      INTEGER NOT NULL,
    digest   BLOB    NOT NULL,
    held     BLOB    NOT NULL,
    other    BLOB    NOT NULL,
    found_at INTEGER NOT NULL,
    PRIMARY KEY (room, author, seq, digest)
) WITHOUT ROWID;
