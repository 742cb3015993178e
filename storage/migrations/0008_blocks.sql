-- Colleagues the user blocked, by key (peer id): their connections are
-- refused and nothing they send is stored. Name is what they were called
-- when blocked, for the list; reason is the user's own note. Times are
-- unix milliseconds.

CREATE TABLE blocked_peers (
    peer       TEXT PRIMARY KEY,
    name       TEXT NOT NULL DEFAULT '' CHECK (length(name) <= 256),
    reason     TEXT NOT NULL DEFAULT '' CHECK (length(reason) <= 1024),
    blocked_at INTEGER NOT NULL
) STRICT;
