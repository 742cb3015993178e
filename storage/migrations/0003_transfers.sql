-- File transfers: files and folders sent peer to peer. The offering side
-- keeps an 'out' record (what it offered, from which local path), each
-- receiving side an 'in' record (where it writes, which chunks it has
-- verified so that it can resume after a crash, where the result ended up).
-- Times are unix milliseconds.

-- The id is the offer's, chosen at random by the offering side, so it alone
-- is the key: a node is never both sender and receiver of one offer. That
-- holds for room files too, which many members may download but whose
-- uploader never downloads its own.
CREATE TABLE transfers (
    id            TEXT PRIMARY KEY,
    direction     TEXT NOT NULL CHECK (direction IN ('in', 'out')),
    peer          TEXT NOT NULL,
    conv          TEXT NOT NULL,
    name          TEXT NOT NULL,
    folder        INTEGER NOT NULL DEFAULT 0 CHECK (folder IN (0, 1)),
    size          INTEGER NOT NULL,
    files         INTEGER NOT NULL DEFAULT 1,
    manifest_hash TEXT NOT NULL,
    -- NULL on the receiving side until the manifest has been fetched.
    manifest      BLOB,
    source_path   TEXT NOT NULL DEFAULT '',
    dest_dir      TEXT NOT NULL DEFAULT '',
    partial_path  TEXT NOT NULL DEFAULT '',
    final_path    TEXT NOT NULL DEFAULT '',
    state         TEXT NOT NULL,
    bytes_done    INTEGER NOT NULL DEFAULT 0,
    -- The receiver's bitmap of chunks verified on disk (bit i = chunk i),
    -- stored as the caller encodes it.
    have          BLOB NOT NULL DEFAULT x'',
    error         TEXT NOT NULL DEFAULT '',
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
) STRICT;

-- Any member holding a complete copy of a room file may serve it, found by
-- the manifest hash the offer names.
CREATE INDEX transfers_manifest ON transfers (manifest_hash);

-- Transfers to resume or show as running are found by state without reading
-- every transfer ever made.
CREATE INDEX transfers_state ON transfers (state);
