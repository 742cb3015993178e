package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"time"
)

// State is where a message stands from this node's point of view.
type State string

const (
	StateSent      State = "sent"      // committed locally, waiting in the outbox
	StateDelivered State = "delivered" // the recipient committed it and acknowledged
	StateReceived  State = "received"  // an incoming message
)

// Message is one stored chat message. A conversation id is "dm:<peerid>" for
// direct messages.
type Message struct {
	Seq        int64     // local insertion order, set by the store, never reused
	ID         string    // chosen by the author, unique per author
	Conv       string    // conversation id
	Author     string    // transport-authenticated peer ID, never taken from the payload
	Text       string    // message body
	SentAt     time.Time // author's clock, millisecond precision
	ReceivedAt time.Time // local clock when stored, millisecond precision
	State      State
}

// ErrDuplicate is returned (wrapped) when an outgoing message reuses an
// (author, id) pair that is already stored.
var ErrDuplicate = errors.New("storage: message already stored")

const messageColumns = `seq, id, conv, author, text, sent_at, received_at, state`

// insertMessageSQL yields no row when (author, id) exists, which lets callers
// tell a duplicate from a failure without decoding driver error codes.
const insertMessageSQL = `
	INSERT INTO messages (id, conv, author, text, sent_at, received_at, state)
	VALUES (?, ?, ?, ?, ?, ?, ?)
	ON CONFLICT (author, id) DO NOTHING
	RETURNING seq`

// InsertOutgoing stores m with state "sent" and queues it for peer to in the
// same transaction, so a message is never saved without being queued or
// queued without being saved. It returns m with Seq, ReceivedAt and State
// filled in (and SentAt set to now if it was zero). Reusing an (Author, ID)
// pair fails with ErrDuplicate.
func (s *Store) InsertOutgoing(ctx context.Context, m Message, to string) (Message, error) {
	if err := checkMessage(m); err != nil {
		return Message{}, fmt.Errorf("storage: insert outgoing: %w", err)
	}
	if to == "" {
		return Message{}, fmt.Errorf("storage: insert outgoing %s: empty recipient", m.ID)
	}
	m = stamp(m, StateSent)
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, insertMessageSQL, messageArgs(m)...).Scan(&m.Seq)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrDuplicate
		}
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO outbox (msg_seq, peer, queued_at) VALUES (?, ?, ?)`,
			m.Seq, to, toMillis(m.ReceivedAt))
		return err
	})
	if err != nil {
		return Message{}, fmt.Errorf("storage: insert outgoing %s/%s: %w", m.Author, m.ID, err)
	}
	return m, nil
}

// InsertIncoming stores a received message with state "received". Peers
// resend until acknowledged, so the same (Author, ID) arriving again is not
// an error: nothing changes, inserted is false and the message stored first
// is returned.
func (s *Store) InsertIncoming(ctx context.Context, m Message) (stored Message, inserted bool, err error) {
	if err := checkMessage(m); err != nil {
		return Message{}, false, fmt.Errorf("storage: insert incoming: %w", err)
	}
	m = stamp(m, StateReceived)
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, insertMessageSQL, messageArgs(m)...).Scan(&m.Seq)
		if err == nil {
			stored, inserted = m, true
			return nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		row := tx.QueryRowContext(ctx,
			`SELECT `+messageColumns+` FROM messages WHERE author = ? AND id = ?`, m.Author, m.ID)
		stored, err = scanMessage(row)
		return err
	})
	if err != nil {
		return Message{}, false, fmt.Errorf("storage: insert incoming %s/%s: %w", m.Author, m.ID, err)
	}
	return stored, inserted, nil
}

// MarkDelivered records the recipient's acknowledgement: the message becomes
// "delivered" and leaves the outbox in one transaction. changed is false when
// the message is unknown or was not waiting (already delivered, or incoming).
// The store does not know who acknowledged; checking that the acknowledging
// peer is the recipient is the caller's job.
func (s *Store) MarkDelivered(ctx context.Context, author, id string) (changed bool, err error) {
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		var seq int64
		err := tx.QueryRowContext(ctx,
			`UPDATE messages SET state = ? WHERE author = ? AND id = ? AND state = ? RETURNING seq`,
			StateDelivered, author, id, StateSent).Scan(&seq)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		changed = true
		_, err = tx.ExecContext(ctx, `DELETE FROM outbox WHERE msg_seq = ?`, seq)
		return err
	})
	if err != nil {
		return false, fmt.Errorf("storage: mark delivered %s/%s: %w", author, id, err)
	}
	return changed, nil
}

// Outbox lists the undelivered outgoing messages queued for peer, oldest
// first, at most limit of them (limit <= 0: all).
func (s *Store) Outbox(ctx context.Context, peer string, limit int) ([]Message, error) {
	msgs, err := s.queryMessages(ctx, `
		SELECT m.seq, m.id, m.conv, m.author, m.text, m.sent_at, m.received_at, m.state
		FROM outbox o JOIN messages m ON m.seq = o.msg_seq
		WHERE o.peer = ? ORDER BY o.msg_seq LIMIT ?`, peer, sqlLimit(limit))
	if err != nil {
		return nil, fmt.Errorf("storage: outbox for %s: %w", peer, err)
	}
	return msgs, nil
}

// OutboxPeers lists, sorted, the peers that have at least one message waiting.
func (s *Store) OutboxPeers(ctx context.Context) ([]string, error) {
	rows, err := s.reader.QueryContext(ctx, `SELECT DISTINCT peer FROM outbox ORDER BY peer`)
	if err != nil {
		return nil, fmt.Errorf("storage: outbox peers: %w", err)
	}
	defer rows.Close()
	var peers []string
	for rows.Next() {
		var p string
		if err := rows.Scan(&p); err != nil {
			return nil, fmt.Errorf("storage: outbox peers: %w", err)
		}
		peers = append(peers, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("storage: outbox peers: %w", err)
	}
	return peers, nil
}

// historySQL picks the page by seq through messages_conv_seq, so only the
// page itself is sorted by the authors' clocks, never the whole conversation.
const historySQL = `
	SELECT ` + messageColumns + ` FROM (
		SELECT ` + messageColumns + ` FROM messages
		WHERE conv = ? AND seq < ? ORDER BY seq DESC LIMIT ?
	) ORDER BY sent_at, seq`

// History returns one page of conv: the limit messages with the highest Seq
// below beforeSeq (beforeSeq <= 0: the newest; limit <= 0: no limit),
// ordered oldest first by SentAt, then Seq.
//
// Pages are cut by Seq, so consecutive pages neither overlap nor skip. To get
// the page before, pass the smallest Seq of this page; when authors' clocks
// disagree that is not necessarily the first element.
func (s *Store) History(ctx context.Context, conv string, beforeSeq int64, limit int) ([]Message, error) {
	if beforeSeq <= 0 {
		beforeSeq = math.MaxInt64
	}
	msgs, err := s.queryMessages(ctx, historySQL, conv, beforeSeq, sqlLimit(limit))
	if err != nil {
		return nil, fmt.Errorf("storage: history of %s: %w", conv, err)
	}
	return msgs, nil
}

// MessageByID returns the message author sent under id; ok is false if unknown.
func (s *Store) MessageByID(ctx context.Context, author, id string) (Message, bool, error) {
	row := s.reader.QueryRowContext(ctx,
		`SELECT `+messageColumns+` FROM messages WHERE author = ? AND id = ?`, author, id)
	m, err := scanMessage(row)
	if errors.Is(err, sql.ErrNoRows) {
		return Message{}, false, nil
	}
	if err != nil {
		return Message{}, false, fmt.Errorf("storage: message %s/%s: %w", author, id, err)
	}
	return m, true, nil
}

// CountMessages returns how many messages conv holds.
func (s *Store) CountMessages(ctx context.Context, conv string) (int, error) {
	var n int
	err := s.reader.QueryRowContext(ctx, `SELECT count(*) FROM messages WHERE conv = ?`, conv).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("storage: count messages of %s: %w", conv, err)
	}
	return n, nil
}

func checkMessage(m Message) error {
	switch {
	case m.ID == "":
		return errors.New("empty message id")
	case m.Author == "":
		return fmt.Errorf("message %s: empty author", m.ID)
	case m.Conv == "":
		return fmt.Errorf("message %s: empty conversation", m.ID)
	}
	return nil
}

// stamp fills the fields the store owns and rounds times to what the column
// holds, so the returned message equals what a later read returns.
func stamp(m Message, st State) Message {
	m.Seq = 0
	m.State = st
	m.ReceivedAt = now()
	if m.SentAt.IsZero() {
		m.SentAt = m.ReceivedAt
	} else {
		m.SentAt = fromMillis(toMillis(m.SentAt))
	}
	return m
}

func messageArgs(m Message) []any {
	return []any{m.ID, m.Conv, m.Author, m.Text, toMillis(m.SentAt), toMillis(m.ReceivedAt), string(m.State)}
}

func scanMessage(sc scanner) (Message, error) {
	var (
		m              Message
		sent, received int64
		state          string
	)
	if err := sc.Scan(&m.Seq, &m.ID, &m.Conv, &m.Author, &m.Text, &sent, &received, &state); err != nil {
		return Message{}, err
	}
	m.SentAt = fromMillis(sent)
	m.ReceivedAt = fromMillis(received)
	m.State = State(state)
	return m, nil
}

func (s *Store) queryMessages(ctx context.Context, query string, args ...any) ([]Message, error) {
	rows, err := s.reader.QueryContext(ctx, query, args...)
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

// sqlLimit maps "no limit" onto SQLite's LIMIT -1.
func sqlLimit(limit int) int {
	if limit <= 0 {
		return -1
	}
	return limit
}
