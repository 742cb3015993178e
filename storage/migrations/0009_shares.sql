-- Shares: how long this node serves content it offered or downloaded, and
-- whether it stopped. expires_at is unix milliseconds, 0 for no end: on an
-- outgoing transfer when this node stops serving it, on an incoming one
-- when its sender said the offer ends. share_state is '' while the content
-- is served, 'unshared' once the user withdrew it and 'changed' once the
-- bytes on disk stopped matching the manifest; share_note says why, for
-- the user.
ALTER TABLE transfers ADD COLUMN expires_at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE transfers ADD COLUMN share_state TEXT NOT NULL DEFAULT ''
    CHECK (share_state IN ('', 'unshared', 'changed'));
ALTER TABLE transfers ADD COLUMN share_note TEXT NOT NULL DEFAULT '';
