-- Rooms: group conversations replicated between their members as signed,
-- sealed envelopes. Each author numbers its envelopes per room from 1, and
-- every peer shows a room in (hlc, author, author_seq) order so that all of
-- them agree and late arrivals slot into place. Times are unix milliseconds;
-- hlc values are hybrid logical clock readings carried in the envelopes.

-- Existing direct messages become kind 'text' with no clock or sequence.
ALTER TABLE messages ADD COLUMN kind TEXT NOT NULL DEFAULT 'text';
ALTER TABLE messages ADD COLUMN hlc INTEGER NOT NULL DEFAULT 0;
ALTER TABLE messages ADD COLUMN author_seq INTEGER NOT NULL DEFAULT 0;
ALTER TABLE messages ADD COLUMN meta TEXT NOT NULL DEFAULT '';

-- Room history pages and unread counts are range scans in display order.
CREATE INDEX messages_conv_hlc ON messages (conv, hlc, author, author_seq);

-- left_at = 0 while this node is a member. last_read_hlc only grows, so
-- marking an older message read after a newer one cannot bring the newer
-- one back as unread.
CREATE TABLE rooms (
    id            TEXT PRIMARY KEY,
    name          TEXT NOT NULL DEFAULT '',
    key           BLOB NOT NULL CHECK (length(key) = 32),
    general       INTEGER NOT NULL DEFAULT 0 CHECK (general IN (0, 1)),
    created_at    INTEGER NOT NULL,
    joined_at     INTEGER NOT NULL,
    left_at       INTEGER NOT NULL DEFAULT 0,
    last_read_hlc INTEGER NOT NULL DEFAULT 0
) STRICT;

-- The envelopes exactly as signed, kept to serve peers that miss them. No
-- foreign key to rooms, so that storing what a peer sent never fails on this
-- node's own bookkeeping of the room.
CREATE TABLE room_envelopes (
    room   TEXT NOT NULL,
    author TEXT NOT NULL,
    seq    INTEGER NOT NULL CHECK (seq > 0),
    hlc    INTEGER NOT NULL,
    raw    BLOB NOT NULL,
    PRIMARY KEY (room, author, seq)
) STRICT;

CREATE INDEX room_envelopes_order ON room_envelopes (room, hlc, author, seq);
CREATE INDEX room_envelopes_author ON room_envelopes (room, author, seq, hlc);

-- The version vector: contiguous is the highest n with 1..n all stored,
-- max_seq the highest stored at all (so the next own seq is max_seq + 1).
CREATE TABLE room_heads (
    room       TEXT NOT NULL,
    author     TEXT NOT NULL,
    contiguous INTEGER NOT NULL,
    max_seq    INTEGER NOT NULL,
    PRIMARY KEY (room, author)
) STRICT, WITHOUT ROWID;

-- Membership as last announced: the join or leave latest in display order
-- (hlc, then the announcing envelope's author and seq) wins, so every peer
-- ends with the same list whatever order the envelopes arrived in.
CREATE TABLE room_members (
    room   TEXT NOT NULL,
    peer   TEXT NOT NULL,
    name   TEXT NOT NULL DEFAULT '',
    hlc    INTEGER NOT NULL,
    author TEXT NOT NULL DEFAULT '',
    seq    INTEGER NOT NULL DEFAULT 0,
    member INTEGER NOT NULL CHECK (member IN (0, 1)),
    PRIMARY KEY (room, peer)
) STRICT, WITHOUT ROWID;
