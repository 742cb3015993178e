package storage

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// MaxForksPerAuthor caps the fork evidence kept per room and author: an
// author that signs any number of versions of its posts fills no disk, and
// a handful of pairs prove the equivocation as well as thousands.
const MaxForksPerAuthor = 8

// RoomConflict is an envelope offered for a (Room, Author, Seq) the log
// already holds with other bytes: Held is the envelope stored.
type RoomConflict struct {
	Entry RoomEntry
	Held  []byte
}

// RoomFork is the evidence that Author signed two envelopes under Seq in
// Room: Held is the one the log keeps, Other the one that came later.
type RoomFork struct {
	Room, Author string
	Seq          uint64
	Held, Other  []byte
	FoundAt      time.Time
}

const heldEnvelopeSQL = `SELECT raw FROM room_envelopes WHERE room = ? AND author = ? AND seq = ?`

// conflict reports the envelope stored for e's key when it differs from
// e's; called when e's envelope was not new.
func (w *logWriter) conflict(ctx context.Context, e RoomEntry) error {
	var held []byte
	err := w.tx.QueryRowContext(ctx, heldEnvelopeSQL, e.Room, e.Author, int64(e.Seq)).Scan(&held)
	if err != nil {
		return fmt.Errorf("read held envelope: %w", err)
	}
	if len(e.Raw) > 0 && !bytes.Equal(held, e.Raw) {
		w.conflicts = append(w.conflicts, RoomConflict{Entry: e, Held: held})
	}
	return nil
}

// RoomInsert is what InsertRoomEntriesChecked stored and found.
type RoomInsert struct {
	// Added is what InsertRoomEntriesWith returns.
	Added []RoomEntry
	// Conflicts are the entries whose key the log held with other
	// envelope bytes: whether they are a fork (two signed versions) is
	// for the caller, who can read envelopes, to tell.
	Conflicts []RoomConflict
	// Chains are, for each author of entries added, what was added and
	// the chain links around it.
	Chains map[ChainKey]Chain
}

// InsertRoomEntriesChecked is InsertRoomEntriesWith that also returns the
// conflicts it found and the chain links around what it added.
func (s *Store) InsertRoomEntriesChecked(ctx context.Context, d Durability, entries []RoomEntry) (RoomInsert, error) {
	return s.insertRoomEntries(ctx, d, entries, true)
}

// AddRoomFork keeps f as evidence; added is false when the same other
// envelope is kept already, or the author has MaxForksPerAuthor forks kept
// in the room.
func (s *Store) AddRoomFork(ctx context.Context, f RoomFork) (added bool, err error) {
	switch {
	case f.Room == "" || f.Author == "":
		return false, errors.New("storage: add room fork: empty room or author")
	case len(f.Held) == 0 || len(f.Other) == 0 || bytes.Equal(f.Held, f.Other):
		return false, errors.New("storage: add room fork: not two envelopes")
	}
	digest := sha256.Sum256(f.Other)
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM room_forks WHERE room = ? AND author = ?`,
			f.Room, f.Author).Scan(&n); err != nil {
			return err
		}
		if n >= MaxForksPerAuthor {
			return nil
		}
		res, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO room_forks
			(room, author, seq, digest, held, other, found_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			f.Room, f.Author, int64(f.Seq), digest[:], f.Held, f.Other, time.Now().UnixMilli())
		if err != nil {
			return err
		}
		k, err := res.RowsAffected()
		added = k > 0
		return err
	}, &s.forks)
	if err != nil {
		return false, fmt.Errorf("storage: add room fork of %s in %s: %w", f.Author, f.Room, err)
	}
	return added, nil
}

// RoomForks returns the fork evidence kept for room, by author and seq.
func (s *Store) RoomForks(ctx context.Context, room string) ([]RoomFork, error) {
	version, settled := s.forks.settled()
	if _, none := s.forkless.get(room, version); settled && none {
		return nil, nil
	}
	rows, err := s.reader.QueryContext(ctx, `SELECT author, seq, held, other, found_at FROM room_forks
		WHERE room = ? ORDER BY author, seq, found_at`, room)
	if err != nil {
		return nil, fmt.Errorf("storage: room forks of %s: %w", room, err)
	}
	defer rows.Close()
	var out []RoomFork
	for rows.Next() {
		f := RoomFork{Room: room}
		var seq, at int64
		if err := rows.Scan(&f.Author, &seq, &f.Held, &f.Other, &at); err != nil {
			return nil, fmt.Errorf("storage: room forks of %s: %w", room, err)
		}
		f.Seq, f.FoundAt = uint64(seq), time.UnixMilli(at)
		out = append(out, f)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("storage: room forks of %s: %w", room, err)
	}
	if len(out) == 0 && settled && s.forks.still(version) {
		s.forkless.put(room, struct{}{}, version, 1)
	}
	return out, nil
}
