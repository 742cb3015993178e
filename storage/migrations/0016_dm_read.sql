-- When the colleague's window showed one of our direct messages to them
-- (their read receipt), unix milliseconds; 0: not yet, or never told.
ALTER TABLE messages ADD COLUMN read_at INTEGER NOT NULL DEFAULT 0;
