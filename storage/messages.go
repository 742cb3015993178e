package storage

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"hallway/chat"
)

// State is where a message stands from this node's point of view.
type State string

const (
	StateSent      State = chat.StateSent      // committed locally, waiting in the outbox
	StateDelivered State = chat.StateDelivered // the recipient committed it and acknowledged
	StateReceived  State = chat.StateReceived  // an incoming message
)

// Kinds of message as stored: the names of chat's kinds. A message stored
// with an empty Kind is a text message.
const (
	KindText   = string(chat.KindText)
	KindJoin   = string(chat.KindJoin)   // someone joined a room
	KindLeave  = string(chat.KindLeave)  // someone left a room
	KindInvite = string(chat.KindInvite) // an invitation to a room; Meta carries it
	// KindFile offers a file or folder; Meta (DMs) or Text (rooms) carries
	// the offer.
	KindFile = string(chat.KindFile)
	// KindFileStatus tells a sender what became of an offer.
	KindFileStatus = string(chat.KindFileStatus)
)

// Message is one stored chat message. A conversation id is "dm:<peerid>" for
// direct messages and "room:<roomid>" for rooms.
type Message struct {
	Seq        int64     // local insertion order, set by the store, never reused
	ID         string    // chosen by the author, unique per author
	Conv       string    // conversation id
	Author     string    // transport-authenticated peer ID, never taken from the payload
	Text       string    // message body
	SentAt     time.Time // author's clock, millisecond precision
	ReceivedAt time.Time // local clock when stored, millisecond precision
	State      State
	Kind       string // KindText (the default), KindJoin, KindLeave, KindInvite, KindFile or KindFileStatus
	HLC        uint64 // rooms: the envelope's clock, at most math.MaxInt64; DMs: 0
	AuthorSeq  uint64 // rooms: the envelope's seq, at most math.MaxInt64; DMs: 0
	Meta       string // opaque data of kinds that carry some (an invite), else ""
	// Sig is the author's Ed25519 signature over the message's canonical
	// bytes (DMs; see crypto.DMContent), "" when the message carries none.
	// It holds raw bytes; a string keeps Message comparable.
	Sig string
	// RefAuthor and RefID name the message a reply, an edit, a delete or
	// a reaction is about; both "" for any other message.
	RefAuthor string
	RefID     string
	// ReadAt is when the recipient of our DM said their window showed it
	// (zero: not yet). The store sets it (MarkReadUpTo), never an insert.
	ReadAt time.Time
	// Redacted: its author deleted it for everyone and no legal hold kept
	// it; Text is empty (redact.go).
	Redacted bool
}

// ErrDuplicate is returned (wrapped) when an outgoing message reuses an
// (author, id) pair that is already stored.
var ErrDuplicate = errors.New("storage: message already stored")

const messageColumns = `seq, id, conv, author, text, sent_at, received_at, state, kind, hlc, author_seq, meta, sig, ref_author, ref_id, read_at, redacted`

// insertMessageSQL changes no row when (author, id) exists, which lets
// callers tell a duplicate from a failure without decoding driver error
// codes. It says OR IGNORE rather than ON CONFLICT DO NOTHING so that it
// cannot abort: SQLite then keeps no statement journal for it, which makes
// large batches of room entries markedly cheaper. Besides that key it could
// only ignore NOT NULL violations, and no argument is ever NULL. The new seq
// is read from the result, as RETURNING would cost SQLite a temporary table
// and database/sql a result set per message.
const insertMessageSQL = `
	INSERT OR IGNORE INTO messages (id, conv, author, text, sent_at, received_at, state, kind, hlc, author_seq, meta, sig, ref_author, ref_id)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`

// queueIndexSQL puts messages just stored in the search backlog, in the
// transaction that stores them; the index takes them from there (see
// backlog.go and migrations/0019). It runs once per transaction for every
// message the transaction stored.
const queueIndexSQL = `
	INSERT OR IGNORE INTO search_backlog (seq) SELECT value FROM json_each(?)`

const (
	queueOutgoingSQL = `INSERT INTO outbox (msg_seq, peer, queued_at) VALUES (?, ?, ?)`
	messageByIDSQL   = `SELECT ` + messageColumns + ` FROM messages WHERE author = ? AND id = ?`
	markDeliveredSQL = `UPDATE messages SET state = ? WHERE author = ? AND id = ? AND state = ? RETURNING ` + messageColumns
	unqueueSQL       = `DELETE FROM outbox WHERE msg_seq = ?`
)

var outboxSQL = `
	SELECT ` + prefixed("m", messageColumns) + `
	FROM outbox o JOIN messages m ON m.seq = o.msg_seq
	WHERE o.peer = ? ORDER BY o.msg_seq LIMIT ?`

// InsertOutgoing stores m with state "sent" and queues it for peer to in the
// same transaction, so a message is never saved without being queued or
// queued without being saved. It returns m with Seq, ReceivedAt and State
// filled in (and SentAt set to now if it was zero). Reusing an (Author, ID)
// pair fails with ErrDuplicate.
func (s *Store) InsertOutgoing(ctx context.Context, m Message, to string) (Message, error) {
	out, err := s.InsertOutgoingMany(ctx, []Outgoing{{Message: m, To: to}})
	if err != nil {
		return Message{}, err
	}
	return out[0], nil
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
	err = s.inGroupTx(ctx, s.insertIncoming(ctx, m, &stored, &inserted))
	if err != nil {
		return Message{}, false, fmt.Errorf("storage: insert incoming %s/%s: %w", m.Author, m.ID, err)
	}
	return stored, inserted, nil
}

// insertIncoming is the write of InsertIncoming: it stores m, checked and
// stamped, and sets *stored to what the store holds under m's author and
// id, and *inserted to whether that is m.
func (s *Store) insertIncoming(ctx context.Context, m Message, stored *Message, inserted *bool) func(*sql.Tx) error {
	return func(tx *sql.Tx) error {
		seq, ok, err := insertMessage(ctx, tx.StmtContext(ctx, s.stmts.insertMessage), m)
		if err != nil {
			return err
		}
		if ok {
			m.Seq = seq
			*stored, *inserted = m, true
			return settleStored(ctx, tx, tx.StmtContext(ctx, s.stmts.queueIndex),
				tx.StmtContext(ctx, s.stmts.deletedTargets), []int64{seq})
		}
		row := tx.StmtContext(ctx, s.stmts.storedMessage).QueryRowContext(ctx, m.Author, m.ID)
		*stored, err = scanMessage(row)
		return err
	}
}

// MarkDelivered records the recipient's acknowledgement: the message becomes
// "delivered" and leaves the outbox in one transaction, and m is the
// message as it is now stored. changed is false when the message is
// unknown or was not waiting (already delivered, or incoming). The store
// does not know who acknowledged; checking that the acknowledging peer is
// the recipient is the caller's job.
//
// The mark is Replicated, not Durable: a power cut may take it back, and
// then the message is queued again and sent again, and the recipient,
// who keeps the first copy, acknowledges it again.
func (s *Store) MarkDelivered(ctx context.Context, author, id string) (m Message, changed bool, err error) {
	err = s.inGroupTxWith(ctx, Replicated, func(tx *sql.Tx) error {
		// A group that fails runs its writes again, each alone: what an
		// undone run found is not what was stored.
		m, changed = Message{}, false
		got, err := scanMessage(tx.StmtContext(ctx, s.stmts.markDelivered).QueryRowContext(ctx,
			StateDelivered, author, id, StateSent))
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		if _, err := tx.StmtContext(ctx, s.stmts.unqueue).ExecContext(ctx, got.Seq); err != nil {
			return err
		}
		m, changed = got, true
		return nil
	})
	if err != nil {
		return Message{}, false, fmt.Errorf("storage: mark delivered %s/%s: %w", author, id, err)
	}
	return m, changed, nil
}

// Outbox lists the undelivered outgoing messages queued for peer, oldest
// first, at most limit of them (limit <= 0: all).
func (s *Store) Outbox(ctx context.Context, peer string, limit int) ([]Message, error) {
	msgs, err := queryMessages(ctx, s.stmts.outbox, peer, sqlLimit(limit))
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
	return scanAll(rows, "outbox peers", scanString)
}

// MessageByID returns the message author sent under id; ok is false if unknown.
func (s *Store) MessageByID(ctx context.Context, author, id string) (Message, bool, error) {
	row := s.stmts.messageByID.QueryRowContext(ctx, author, id)
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

// insertMessage runs stmt, an insert into messages that skips a taken
// (author, id), and returns the new row's seq; ok is false if it was
// skipped. The caller queues what it stored for the search index before
// it commits (settleStored; queueIndex alone where nothing is erased).
func insertMessage(ctx context.Context, stmt *sql.Stmt, m Message) (seq int64, ok bool, err error) {
	res, err := stmt.ExecContext(ctx, messageArgs(m)...)
	if err != nil {
		return 0, false, err
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return 0, false, err
	}
	seq, err = res.LastInsertId()
	return seq, err == nil, err
}

// queueIndex puts the messages with these seqs, stored by the current
// transaction, in the search backlog, in that transaction: they are
// searchable once the backlog is worked off, which every search does
// first. Queued before anything erases or edits them, they are left alone
// by the index's triggers.
func queueIndex(ctx context.Context, stmt *sql.Stmt, seqs []int64) error {
	if len(seqs) == 0 {
		return nil
	}
	arg, err := json.Marshal(seqs)
	if err != nil {
		return err
	}
	if _, err := stmt.ExecContext(ctx, string(arg)); err != nil {
		return fmt.Errorf("queue messages for search: %w", err)
	}
	return nil
}

func checkMessage(m Message) error {
	switch {
	case m.ID == "":
		return errors.New("empty message id")
	case m.Author == "":
		return fmt.Errorf("message %s: empty author", m.ID)
	case m.Conv == "":
		return fmt.Errorf("message %s: empty conversation", m.ID)
	case !knownKind(m.Kind):
		return fmt.Errorf("message %s: unknown kind %q", m.ID, m.Kind)
	case m.HLC > math.MaxInt64 || m.AuthorSeq > math.MaxInt64:
		// SQLite integers are signed; a larger value would sort first.
		return fmt.Errorf("message %s: clock or sequence number out of range", m.ID)
	}
	return nil
}

func knownKind(k string) bool {
	_, err := chat.ParseKind(k)
	return err == nil
}

// stamp fills the fields the store owns and rounds times to what the column
// holds, so the returned message equals what a later read returns.
func stamp(m Message, st State) Message {
	m.Seq = 0
	m.State = st
	if m.Kind == "" {
		m.Kind = KindText
	}
	m.ReceivedAt = now()
	if m.SentAt.IsZero() {
		m.SentAt = m.ReceivedAt
	} else {
		m.SentAt = fromMillis(toMillis(m.SentAt))
	}
	return m
}

func messageArgs(m Message) []any {
	var sig any // NULL: unsigned
	if m.Sig != "" {
		sig = []byte(m.Sig)
	}
	return []any{m.ID, m.Conv, m.Author, m.Text, toMillis(m.SentAt), toMillis(m.ReceivedAt), string(m.State),
		m.Kind, int64(m.HLC), int64(m.AuthorSeq), m.Meta, sig, m.RefAuthor, m.RefID}
}

func scanMessage(sc scanner) (Message, error) {
	var (
		m              Message
		sent, received int64
		state          string
		hlc, authorSeq int64
		sig            []byte
		readAt         int64
	)
	if err := sc.Scan(&m.Seq, &m.ID, &m.Conv, &m.Author, &m.Text, &sent, &received, &state,
		&m.Kind, &hlc, &authorSeq, &m.Meta, &sig, &m.RefAuthor, &m.RefID, &readAt, &m.Redacted); err != nil {
		return Message{}, err
	}
	m.Sig = string(sig)
	m.HLC = uint64(hlc)
	m.AuthorSeq = uint64(authorSeq)
	m.SentAt = fromMillis(sent)
	m.ReceivedAt = fromMillis(received)
	m.State = State(state)
	if readAt > 0 {
		m.ReadAt = fromMillis(readAt)
	}
	return m, nil
}

// prefixed qualifies each column of a column list with a table alias.
func prefixed(alias, columns string) string {
	return alias + "." + strings.ReplaceAll(columns, ", ", ", "+alias+".")
}

// sqlLimit maps "no limit" onto SQLite's LIMIT -1.
func sqlLimit(limit int) int {
	if limit <= 0 {
		return -1
	}
	return limit
}
