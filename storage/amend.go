package storage

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Amendments are the edits, deletes and reactions of a conversation:
// messages that change another one (chat.Kind.IsAmendment). History pages
// leave them out; the caller folds them into the page's messages.

// notAmendment is the condition on a message that it is not an amendment.
const notAmendment = `kind NOT IN ('edit', 'delete', 'react', 'unreact', 'read')`

// amendmentsSQL finds, through messages_ref (whose condition, ref_id <>
// ”, the query repeats so that SQLite may use it), the amendments of conv that
// name one of the ids in ?2 (a JSON array), in each author's order: a room's
// by its authors' sequence numbers, a DM's by local arrival, which is the
// author's order since a DM outbox delivers in order.
const amendmentsSQL = `SELECT ` + messageColumns + ` FROM messages
	WHERE conv = ?1 AND ref_id <> '' AND ref_id IN (SELECT value FROM json_each(?2)) AND kind IN ('edit', 'delete', 'react', 'unreact')
	ORDER BY author, author_seq, seq`

// Amendments returns the amendments of conv that name one of ids.
func (s *Store) Amendments(ctx context.Context, conv string, ids []string) ([]Message, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	arg, err := json.Marshal(ids)
	if err != nil {
		return nil, err
	}
	rows, err := s.reader.QueryContext(ctx, amendmentsSQL, conv, string(arg))
	if err != nil {
		return nil, fmt.Errorf("storage: amendments of %s: %w", conv, err)
	}
	return scanAll(rows, "amendments of "+conv, scanMessage)
}

// messagesWithIDSQL walks the unique (author, id) index author by
// author, each next author found by one seek past the last, and looks
// id up under each: a seek or two per author who ever wrote, with no
// index on id alone to keep up at every insert.
const messagesWithIDSQL = `
	WITH RECURSIVE authors(a) AS (
		SELECT min(author) FROM messages
		UNION ALL
		SELECT (SELECT min(author) FROM messages WHERE author > a) FROM authors WHERE a IS NOT NULL
	)
	SELECT ` + messageColumns + ` FROM messages
	WHERE author IN (SELECT a FROM authors WHERE a IS NOT NULL) AND id = ?
	ORDER BY seq`

// MessagesWithID returns every stored message whose id is id, whoever
// wrote it and wherever (ids are unique per author only).
func (s *Store) MessagesWithID(ctx context.Context, id string) ([]Message, error) {
	rows, err := s.reader.QueryContext(ctx, messagesWithIDSQL, id)
	if err != nil {
		return nil, fmt.Errorf("storage: messages with id %s: %w", id, err)
	}
	return scanAll(rows, "messages with id "+id, scanMessage)
}

const unreadMentionsSQL = `
	SELECT m.conv, count(*) FROM messages m
	LEFT JOIN conv_reads r ON r.conv = m.conv
	WHERE m.conv LIKE 'dm:%' AND m.author <> ?1 AND m.kind IN ('text', 'reply')
	  AND m.seq > coalesce(r.last_read_seq, 0) AND instr(m.text, ?2) > 0
	GROUP BY m.conv
	UNION ALL
	SELECT m.conv, count(*) FROM rooms r
	JOIN messages m ON m.conv = 'room:' || r.id AND m.hlc > r.last_read_hlc
	WHERE r.left_at = 0 AND m.author <> ?1 AND m.kind IN ('text', 'reply') AND instr(m.text, ?2) > 0
	GROUP BY m.conv`

// UnreadMentions counts, per conversation, the messages after its read
// marker, by others, that mention self ("<@self>" in their text; chat's
// mention tokens).
func (s *Store) UnreadMentions(ctx context.Context, self string) (map[string]int, error) {
	rows, err := s.reader.QueryContext(ctx, unreadMentionsSQL, self, "<@"+self+">")
	if err != nil {
		return nil, fmt.Errorf("storage: unread mentions: %w", err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var conv string
		var n int
		if err := rows.Scan(&conv, &n); err != nil {
			return nil, fmt.Errorf("storage: unread mentions: %w", err)
		}
		out[conv] = n
	}
	return out, rows.Err()
}

// MarkReadUpTo records that the recipient of our DMs in conv (author is
// us) read them up to and including the one with id, at at: each of ours
// up to it not marked yet gets at. ok is false when id is not one of our
// messages there.
func (s *Store) MarkReadUpTo(ctx context.Context, conv, author, id string, at time.Time) (ok bool, err error) {
	var seq int64
	err = s.reader.QueryRowContext(ctx, `SELECT seq FROM messages WHERE author = ? AND id = ? AND conv = ?`, author, id, conv).Scan(&seq)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("storage: mark read up to %s: %w", id, err)
	}
	_, err = s.writer.ExecContext(ctx, `UPDATE messages SET read_at = ? WHERE conv = ? AND author = ? AND seq <= ? AND read_at = 0`,
		toMillis(at), conv, author, seq)
	if err != nil {
		return false, fmt.Errorf("storage: mark read up to %s: %w", id, err)
	}
	return true, nil
}

// NewestFrom returns the id of the newest message of conv written by
// author that people see (not an amendment), "" if none.
func (s *Store) NewestFrom(ctx context.Context, conv, author string) (string, error) {
	var id string
	err := s.reader.QueryRowContext(ctx, `SELECT id FROM messages WHERE conv = ? AND author = ? AND `+notAmendment+`
		ORDER BY seq DESC LIMIT 1`, conv, author).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("storage: newest of %s: %w", conv, err)
	}
	return id, nil
}
