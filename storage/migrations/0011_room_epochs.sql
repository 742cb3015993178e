-- Room key epochs: every key a room was re-keyed to after the one it
-- started with (rooms.key, epoch 0). Nothing is replaced: when two members
-- make a key for one epoch at once, both are kept (commit names each) and
-- the one whose commitment sorts first seals. sender is who handed us the
-- key (ourselves for one we made); removed lists, as JSON, the peers the
-- re-key left out, whose keys for later epochs are refused.
CREATE TABLE room_epochs (
    room     TEXT    NOT NULL,
    epoch    INTEGER NOT NULL,
    commit_  BLOB    NOT NULL,
    key      BLOB    NOT NULL,
    sender   TEXT    NOT NULL,
    removed  TEXT    NOT NULL DEFAULT '[]',
    added_at INTEGER NOT NULL,
    PRIMARY KEY (room, epoch, commit_)
) WITHOUT ROWID;
