package storage

import (
	"context"
	"fmt"
	"time"
)

// ExportScope selects the messages of an export: one conversation or all,
// within a period of the authors' time. Zero values mean unbounded.
type ExportScope struct {
	Conv         string
	Since, Until time.Time
}

func (sc ExportScope) where() (string, []any) {
	var where string
	var args []any
	if sc.Conv != "" {
		where += " AND m.conv = ?"
		args = append(args, sc.Conv)
	}
	if !sc.Since.IsZero() {
		where += " AND m.sent_at >= ?"
		args = append(args, toMillis(sc.Since))
	}
	if !sc.Until.IsZero() {
		where += " AND m.sent_at < ?"
		args = append(args, toMillis(sc.Until))
	}
	return where, args
}

// exportSQL reads the messages in scope (where, from ExportScope.where)
// in the order of messages_conv_hlc, so that only messages of the same
// conversation, clock, author and seq (a direct conversation's) are
// sorted among themselves, never a conversation whole.
func exportSQL(where string) string {
	return `
		SELECT ` + prefixed("m", messageColumns) + `, e.raw
		FROM messages m
		LEFT JOIN room_envelopes e ON m.conv GLOB 'room:*' AND e.room = substr(m.conv, 6)
		     AND e.author = m.author AND e.seq = m.author_seq
		WHERE true` + where + `
		ORDER BY m.conv, m.hlc, m.author, m.author_seq, m.sent_at, m.seq`
}

// ExportRow is a message with what proves it: for a room message the
// envelope its author signed (nil when none is stored).
type ExportRow struct {
	Message  Message
	Envelope []byte
}

// ExportMessages calls fn for every message in scope, conversation by
// conversation, each in its display order (rooms by clock, author and
// sequence; DMs by time, then arrival), reading them as one consistent
// snapshot however long fn takes. fn's error stops the walk and is
// returned.
func (s *Store) ExportMessages(ctx context.Context, sc ExportScope, fn func(ExportRow) error) error {
	where, args := sc.where()
	rows, err := s.reader.QueryContext(ctx, exportSQL(where), args...)
	if err != nil {
		return fmt.Errorf("storage: export messages: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var r ExportRow
		var raw []byte
		m, err := scanMessage(scanFunc(func(dest ...any) error { return rows.Scan(append(dest, &raw)...) }))
		if err != nil {
			return fmt.Errorf("storage: export messages: %w", err)
		}
		r.Message = m
		if len(raw) > 0 && string(raw) != expiredEnvelope {
			r.Envelope = raw
		}
		if err := fn(r); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("storage: export messages: %w", err)
	}
	return nil
}

// ExportParticipants lists, sorted, every peer that wrote a message in
// scope or is the other side of a direct message in it.
func (s *Store) ExportParticipants(ctx context.Context, sc ExportScope) ([]string, error) {
	where, args := sc.where()
	rows, err := s.reader.QueryContext(ctx, `
		SELECT author FROM messages m WHERE true`+where+`
		UNION
		SELECT substr(conv, 4) FROM messages m WHERE conv GLOB 'dm:*'`+where+`
		ORDER BY 1`, append(args, args...)...)
	if err != nil {
		return nil, fmt.Errorf("storage: export participants: %w", err)
	}
	return scanAll(rows, "export participants", scanString)
}

// LatestRoomMeta returns the Meta of author's latest room message that has
// one, "" when none is stored: it carries the name they signed it with,
// for authors met only in rooms.
func (s *Store) LatestRoomMeta(ctx context.Context, author string) (string, error) {
	var meta string
	err := s.reader.QueryRowContext(ctx, `
		SELECT coalesce((SELECT meta FROM messages WHERE author = ? AND conv GLOB 'room:*' AND meta <> ''
		                 ORDER BY hlc DESC LIMIT 1), '')`, author).Scan(&meta)
	if err != nil {
		return "", fmt.Errorf("storage: room name of %s: %w", author, err)
	}
	return meta, nil
}
