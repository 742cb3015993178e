-- A message its author deleted for everyone, while no legal hold covered
-- its conversation: its text (and its edits') was erased; the row stays so
-- that history shows where it was.
ALTER TABLE messages ADD COLUMN redacted INTEGER NOT NULL DEFAULT 0;
