package storage

import (
	"context"
	"database/sql"
	"fmt"
	"math"

	"hallway/chat"
)

// historySQL picks the page by seq through messages_conv_seq, so only the
// page itself is sorted by the authors' clocks, never the whole conversation.
// A clock further ahead than chat.MaxClockSkew counts as the time received
// (chat.ShownTime), so a message dated next year does not stay last.
var historySQL = fmt.Sprintf(`
	SELECT %[1]s FROM (
		SELECT %[1]s FROM messages
		WHERE conv = ? AND seq < ? AND `+notAmendment+` ORDER BY seq DESC LIMIT ?
	) ORDER BY CASE WHEN sent_at > received_at + %[2]d THEN received_at ELSE sent_at END, seq`,
	messageColumns, chat.MaxClockSkew.Milliseconds())

// History returns one page of conv, amendments left out (see Amendments): the limit messages with the highest Seq
// below beforeSeq (beforeSeq <= 0: the newest; limit <= 0: no limit),
// ordered oldest first by the time shown (chat.ShownTime of SentAt and
// ReceivedAt), then Seq.
//
// Pages are cut by Seq, so consecutive pages neither overlap nor skip. To get
// the page before, pass the smallest Seq of this page; when authors' clocks
// disagree that is not necessarily the first element.
func (s *Store) History(ctx context.Context, conv string, beforeSeq int64, limit int) ([]Message, error) {
	if beforeSeq <= 0 {
		beforeSeq = math.MaxInt64
	}
	msgs, err := queryMessages(ctx, s.stmts.history, conv, beforeSeq, sqlLimit(limit))
	if err != nil {
		return nil, fmt.Errorf("storage: history of %s: %w", conv, err)
	}
	return msgs, nil
}

// roomHistorySQL cuts a room's page by the display order itself, through
// messages_conv_hlc: every peer orders a room alike, so the cursor is a
// position in that order rather than a local Seq. %s is the cursor condition.
const roomHistorySQL = `
	SELECT ` + messageColumns + ` FROM (
		SELECT ` + messageColumns + ` FROM messages
		WHERE conv = ?1 AND ` + notAmendment + ` %s
		ORDER BY hlc DESC, author DESC, author_seq DESC LIMIT ?5
	) ORDER BY hlc, author, author_seq`

var (
	roomNewestSQL = fmt.Sprintf(roomHistorySQL, "")
	roomBeforeSQL = fmt.Sprintf(roomHistorySQL, "AND (hlc, author, author_seq) < (?2, ?3, ?4)")
)

// Cursor is a position in a room's display order: that of the message with
// these HLC, Author and AuthorSeq.
type Cursor struct {
	HLC    uint64
	Author string
	Seq    uint64
}

// CursorOf returns the position of m, to ask for the page before it.
func CursorOf(m Message) *Cursor { return &Cursor{HLC: m.HLC, Author: m.Author, Seq: m.AuthorSeq} }

// RoomHistory returns one page of the room's messages, of every kind but
// amendments (see Amendments), in
// display order (HLC, Author, AuthorSeq) ascending: the limit messages just
// before the cursor (nil: the newest; limit <= 0: no limit). To get the page
// before, pass the cursor of this page's first message; pages then neither
// overlap nor skip, and a late message appears in whichever page its place
// falls into.
func (s *Store) RoomHistory(ctx context.Context, room string, before *Cursor, limit int) ([]Message, error) {
	stmt, args := s.stmts.roomNewest, []any{RoomConv(room), nil, nil, nil, sqlLimit(limit)}
	if before != nil {
		if before.HLC > math.MaxInt64 || before.Seq > math.MaxInt64 {
			return nil, fmt.Errorf("storage: history of room %s: cursor out of range", room)
		}
		stmt = s.stmts.roomBefore
		args[1], args[2], args[3] = int64(before.HLC), before.Author, int64(before.Seq)
	}
	msgs, err := queryMessages(ctx, stmt, args...)
	if err != nil {
		return nil, fmt.Errorf("storage: history of room %s: %w", room, err)
	}
	return msgs, nil
}

// maxHLCSQL reads the clocks from messages_conv_hlc, not from the table,
// which holds every text.
const maxHLCSQL = `SELECT coalesce(max(hlc), 0) FROM messages`

// MaxHLC returns the highest clock of any stored message, 0 if none, so that
// a restarted clock never goes back on what this node already showed.
func (s *Store) MaxHLC(ctx context.Context) (uint64, error) {
	var hlc int64
	if err := s.reader.QueryRowContext(ctx, maxHLCSQL).Scan(&hlc); err != nil {
		return 0, fmt.Errorf("storage: max clock: %w", err)
	}
	return uint64(hlc), nil
}

func queryMessages(ctx context.Context, stmt *sql.Stmt, args ...any) ([]Message, error) {
	rows, err := stmt.QueryContext(ctx, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var msgs []Message
	for rows.Next() {
		m, err := scanMessage(rows)
		if err != nil {
			return nil, err
		}
		msgs = append(msgs, m)
	}
	return msgs, rows.Err()
}
