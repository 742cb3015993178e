-- Initial schema: profile settings, known peers, hand-added addresses,
-- messages and the outbox of undelivered outgoing messages.
-- Times are unix milliseconds.

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

-- Peers are identified by their authenticated libp2p peer ID only; the name
-- is whatever the peer last announced and may collide with other peers.
CREATE TABLE peers (
    id          TEXT PRIMARY KEY,
    pubkey      BLOB,
    name        TEXT NOT NULL DEFAULT '',
    status      TEXT NOT NULL DEFAULT '',
    status_text TEXT NOT NULL DEFAULT '',
    addrs       TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(addrs)),
    first_seen  INTEGER NOT NULL,
    last_seen   INTEGER NOT NULL
) STRICT;

CREATE TABLE static_peers (
    addr     TEXT PRIMARY KEY,
    added_at INTEGER NOT NULL
) STRICT;

-- AUTOINCREMENT so that a seq is never handed out twice, even after the
-- newest message is deleted: callers keep seqs as read markers and cursors.
CREATE TABLE messages (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    id          TEXT NOT NULL,
    conv        TEXT NOT NULL,
    author      TEXT NOT NULL,
    text        TEXT NOT NULL,
    sent_at     INTEGER NOT NULL,
    received_at INTEGER NOT NULL,
    state       TEXT NOT NULL,
    UNIQUE (author, id)
) STRICT;

CREATE INDEX messages_conv_sent ON messages (conv, sent_at, seq);

-- History pages are cut by seq; without this index every page would sort the
-- whole conversation.
CREATE INDEX messages_conv_seq ON messages (conv, seq);

CREATE TABLE outbox (
    msg_seq   INTEGER PRIMARY KEY REFERENCES messages (seq) ON DELETE CASCADE,
    peer      TEXT NOT NULL,
    queued_at INTEGER NOT NULL
) STRICT;

CREATE INDEX outbox_peer ON outbox (peer, msg_seq);
