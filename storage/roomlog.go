package storage

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"errors"
	"fmt"
	"math"
)

// MemberChange is the membership news an envelope carries: Peer joined (or,
// with Joined false, left) the room under the display name Name.
type MemberChange struct {
	Peer   string
	Name   string
	Joined bool
}

// RoomEntry is one envelope of a room's log, identified by (Room, Author,
// Seq), together with what it shows.
type RoomEntry struct {
	Room   string
	Author string // the peer ID that signed the envelope
	Seq    uint64 // the author's sequence number in this room, from 1
	HLC    uint64 // the clock the envelope carries
	Raw    []byte // the signed envelope, served as is to peers missing it
	// Prev is the chain link the envelope's body names (the SHA-256 of
	// the author's envelope of Seq-1); nil when the body names none.
	Prev    []byte
	Message Message
	Member  *MemberChange // set for join and leave entries
	Op      *OpRecord     // set for membership operations
}

// OpRecord is the membership operation an envelope carries, stored with it
// in the same transaction.
type OpRecord struct {
	Hash [32]byte // SHA-256 of Raw
	Op   []byte   // its encoding
	Name string   // the display name the author signed
}

// InsertRoomEntries stores a batch of envelopes in one transaction and
// returns, in input order, the entries that were new, with their Message as
// a later read returns it.
//
// Storing is idempotent on (Room, Author, Seq): an entry already stored, or
// repeated earlier in the batch, is skipped without error. For each new one
// the envelope and its message are written, the author's head advances, and
// a Member change is applied unless the member's stored state comes from an
// envelope later in display order, so the outcome does not depend on the
// order envelopes arrive in.
//
// An author's stored clock never decreases with its seq: a new entry whose
// HLC is below that of the author's nearest lower seq stored, or above that
// of its nearest higher one, is stored with that neighbour's clock instead,
// so that a misbehaving author can neither slip a message back into old
// history nor place one after what it wrote later. The envelope keeps the
// clock it was signed with; the returned entry carries the one stored. An
// honest author's clock only grows, so its entries are stored as they come.
//
// Message.Conv, Author, HLC and AuthorSeq may be left zero and are then
// taken from the entry; State defaults to "received", Kind to "text", SentAt
// to now. Seq and HLC must not exceed math.MaxInt64.
//
// Should an author reuse a message ID it already used elsewhere, the
// envelope is still stored (so that sync converges) but its message is not,
// and the entry is not returned, as there is nothing new to show.
func (s *Store) InsertRoomEntries(ctx context.Context, entries []RoomEntry) ([]RoomEntry, error) {
	return s.InsertRoomEntriesWith(ctx, Durable, entries)
}

// InsertRoomEntriesWith is InsertRoomEntries with a chosen durability.
func (s *Store) InsertRoomEntriesWith(ctx context.Context, d Durability, entries []RoomEntry) ([]RoomEntry, error) {
	in, err := s.insertRoomEntries(ctx, d, entries, false)
	return in.Added, err
}

// insertRoomEntries stores entries in one transaction; with links, it
// reads the chain links around what it added in that transaction too.
func (s *Store) insertRoomEntries(ctx context.Context, d Durability, entries []RoomEntry, links bool) (RoomInsert, error) {
	if len(entries) == 0 {
		return RoomInsert{}, nil
	}
	prepared := make([]RoomEntry, len(entries))
	for i, e := range entries {
		var err error
		if prepared[i], err = prepareEntry(e); err != nil {
			return RoomInsert{}, fmt.Errorf("storage: insert room entries: entry %d: %w", i, err)
		}
	}
	var out RoomInsert
	err := s.inTxWith(ctx, d, func(tx *sql.Tx) error {
		out = RoomInsert{}
		w := &logWriter{tx: tx, st: s.stmts, touched: make(map[headKey]uint64)}
		defer func() { out.Conflicts = w.conflicts }()
		for _, e := range prepared {
			e, shown, err := w.insert(ctx, e)
			if err != nil {
				return fmt.Errorf("%s/%s/%d: %w", e.Room, e.Author, e.Seq, err)
			}
			if shown {
				out.Added = append(out.Added, e)
			}
		}
		if err := settleStored(ctx, tx, w.bind(ctx, &w.index, w.st.queueIndex),
			w.bind(ctx, &w.deleted, w.st.deletedTargets), w.stored); err != nil {
			return err
		}
		if links && len(out.Added) > 0 {
			var err error
			if out.Chains, err = chainsAround(ctx, tx.StmtContext(ctx, s.stmts.chainLinks), out.Added); err != nil {
				return err
			}
		}
		return w.advanceHeads(ctx)
	}, &s.roomLog)
	if err != nil {
		return RoomInsert{}, fmt.Errorf("storage: insert room entries: %w", err)
	}
	return out, nil
}

// prepareEntry checks e and fills in what its message leaves to the store.
func prepareEntry(e RoomEntry) (RoomEntry, error) {
	switch {
	case e.Room == "":
		return e, errors.New("empty room")
	case e.Author == "":
		return e, errors.New("empty author")
	case e.Seq == 0 || e.Seq > math.MaxInt64:
		return e, fmt.Errorf("seq %d out of range", e.Seq)
	case e.HLC > math.MaxInt64:
		return e, fmt.Errorf("clock %d out of range", e.HLC)
	case e.Member != nil && e.Member.Peer == "":
		return e, errors.New("membership change without a peer")
	}
	m := &e.Message
	switch {
	case m.Conv != "" && m.Conv != RoomConv(e.Room):
		return e, fmt.Errorf("message conversation %q is not the room's", m.Conv)
	case m.Author != "" && m.Author != e.Author:
		return e, fmt.Errorf("message author %s is not the envelope's", m.Author)
	case m.HLC != 0 && m.HLC != e.HLC:
		return e, fmt.Errorf("message clock %d is not the envelope's", m.HLC)
	case m.AuthorSeq != 0 && m.AuthorSeq != e.Seq:
		return e, fmt.Errorf("message seq %d is not the envelope's", m.AuthorSeq)
	}
	m.Conv, m.Author, m.HLC, m.AuthorSeq = RoomConv(e.Room), e.Author, e.HLC, e.Seq
	if err := checkMessage(*m); err != nil {
		return e, err
	}
	st := m.State
	if st == "" {
		st = StateReceived
	}
	*m = stamp(*m, st)
	return e, nil
}

// Like insertMessageSQL, which stores each entry's message, the envelope
// insert says OR IGNORE so that it cannot abort. Every value was checked
// beforehand (none is NULL, seq > 0), so the only thing ever ignored is an
// existing key.
const insertEnvelopeSQL = `
	INSERT OR IGNORE INTO room_envelopes (room, author, seq, hlc, raw, prev, link) VALUES (?, ?, ?, ?, ?, ?, ?)`

// logWriter runs one InsertRoomEntries transaction. It binds the store's
// statements to the transaction only when first needed, as most batches (one
// new entry, or envelopes a peer resent) need only some of them.
type logWriter struct {
	tx              *sql.Tx
	st              *statements
	env, msg, index *sql.Stmt
	member, head    *sql.Stmt
	op              *sql.Stmt
	around          *sql.Stmt
	deleted         *sql.Stmt          // deletedTargetsSQL
	touched         map[headKey]uint64 // highest seq added per author
	conflicts       []RoomConflict     // keys held with other envelope bytes
	stored          []int64            // seqs of the messages stored, to queue for search

	last map[headKey]lastStored // per author, what keepAuthorOrder stored last
}

type headKey struct{ room, author string }

// bind returns stmt bound to the transaction, binding it on first use.
func (w *logWriter) bind(ctx context.Context, bound **sql.Stmt, stmt *sql.Stmt) *sql.Stmt {
	if *bound == nil {
		*bound = w.tx.StmtContext(ctx, stmt)
	}
	return *bound
}

// insert stores one prepared entry; shown reports whether it was new and its
// message stored.
func (w *logWriter) insert(ctx context.Context, e RoomEntry) (_ RoomEntry, shown bool, err error) {
	raw := e.Raw
	if raw == nil {
		raw = []byte{} // NOT NULL column; an empty envelope is the caller's business
	}
	var prev any
	if len(e.Prev) > 0 {
		prev = e.Prev
	}
	link := sha256.Sum256(raw)
	res, err := w.bind(ctx, &w.env, w.st.insertEnvelope).ExecContext(ctx,
		e.Room, e.Author, int64(e.Seq), int64(e.HLC), raw, prev, link[:])
	if err != nil {
		return e, false, fmt.Errorf("store envelope: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		if err == nil {
			err = w.conflict(ctx, e)
		}
		return e, false, err
	}
	k := headKey{e.Room, e.Author}
	w.touched[k] = max(w.touched[k], e.Seq)
	if e, err = w.keepAuthorOrder(ctx, e); err != nil {
		return e, false, err
	}
	if c := e.Member; c != nil {
		_, err := w.bind(ctx, &w.member, w.st.upsertMember).ExecContext(ctx,
			e.Room, c.Peer, c.Name, int64(e.HLC), e.Author, int64(e.Seq), c.Joined)
		if err != nil {
			return e, false, fmt.Errorf("apply membership of %s: %w", c.Peer, err)
		}
	}
	if o := e.Op; o != nil {
		_, err := w.bind(ctx, &w.op, w.st.insertRoomOp).ExecContext(ctx,
			e.Room, o.Hash[:], e.Message.ID, e.Author, int64(e.Seq), o.Op, o.Name)
		if err != nil {
			return e, false, fmt.Errorf("store membership operation: %w", err)
		}
	}
	seq, ok, err := insertMessage(ctx, w.bind(ctx, &w.msg, w.st.insertMessage), e.Message)
	if err != nil {
		return e, false, fmt.Errorf("store message: %w", err)
	}
	if !ok {
		return e, false, nil // the author reused a message ID; see InsertRoomEntries
	}
	e.Message.Seq = seq
	w.stored = append(w.stored, seq)
	return e, true, nil
}

// upsertMemberSQL applies a change only when its envelope comes later in
// display order than the one that set the stored state. A leave usually
// carries no name, so it keeps the name already known.
const upsertMemberSQL = `
	INSERT INTO room_members (room, peer, name, hlc, author, seq, member)
	VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
	ON CONFLICT (room, peer) DO UPDATE SET
		name   = CASE WHEN excluded.name = '' THEN room_members.name ELSE excluded.name END,
		hlc    = excluded.hlc,
		author = excluded.author,
		seq    = excluded.seq,
		member = excluded.member
	WHERE (excluded.hlc, excluded.author, excluded.seq) >
	      (room_members.hlc, room_members.author, room_members.seq)`

// advanceHeadSQL recomputes one author's head after the batch stored new
// seqs of it, ?3 being the highest. If contiguous+1 is now present, the new
// contiguous is the end of the run starting there: the first stored seq above
// the old value whose successor is missing. Finding it walks only that run,
// along the primary key.
//
// "WHERE true" is SQLite's required disambiguation between an upsert clause
// and a join constraint after INSERT ... SELECT ... FROM.
const advanceHeadSQL = `
	WITH old AS (
		SELECT coalesce(max(contiguous), 0) AS contiguous, coalesce(max(max_seq), 0) AS max_seq
		FROM room_heads WHERE room = ?1 AND author = ?2
	)
	INSERT INTO room_heads (room, author, contiguous, max_seq)
	SELECT ?1, ?2,
		CASE WHEN EXISTS (SELECT 1 FROM room_envelopes
		                  WHERE room = ?1 AND author = ?2 AND seq = old.contiguous + 1)
		THEN (SELECT e.seq FROM room_envelopes e
		      WHERE e.room = ?1 AND e.author = ?2 AND e.seq > old.contiguous
		        AND NOT EXISTS (SELECT 1 FROM room_envelopes n
		                        WHERE n.room = ?1 AND n.author = ?2 AND n.seq = e.seq + 1)
		      ORDER BY e.seq LIMIT 1)
		ELSE old.contiguous END,
		max(old.max_seq, ?3)
	FROM old WHERE true
	ON CONFLICT (room, author) DO UPDATE SET
		contiguous = excluded.contiguous,
		max_seq    = excluded.max_seq`

// advanceHeads updates the head of every author the batch added to.
func (w *logWriter) advanceHeads(ctx context.Context) error {
	for k, maxSeq := range w.touched {
		if _, err := w.bind(ctx, &w.head, w.st.advanceHead).ExecContext(ctx, k.room, k.author, int64(maxSeq)); err != nil {
			return fmt.Errorf("advance head of %s/%s: %w", k.room, k.author, err)
		}
	}
	return nil
}

const nextRoomSeqSQL = `SELECT coalesce(max(max_seq), 0) FROM room_heads WHERE room = ? AND author = ?`

// NextRoomSeq returns the seq author's next envelope in room gets: one more
// than the highest stored, 1 when none is. Nothing is reserved: two envelopes
// numbered before either is stored get the same seq, so a node numbers its
// own envelopes one at a time.
func (s *Store) NextRoomSeq(ctx context.Context, room, author string) (uint64, error) {
	var maxSeq int64
	err := s.stmts.nextRoomSeq.QueryRowContext(ctx, room, author).Scan(&maxSeq)
	if err != nil {
		return 0, fmt.Errorf("storage: next seq of %s in room %s: %w", author, room, err)
	}
	return uint64(maxSeq) + 1, nil
}
