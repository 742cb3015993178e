package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// RoomOp is a membership operation of a room as stored: the operation's
// encoding (crypto.MemberOp) with the envelope that carried it.
type RoomOp struct {
	Hash   [32]byte // SHA-256 of the envelope
	ID     string   // the envelope's id
	Author string
	Seq    uint64
	Op     []byte
	Name   string // the display name the author signed into it
}

const insertRoomOpSQL = `
	INSERT OR IGNORE INTO room_ops (room, hash, id, author, seq, op, name) VALUES (?, ?, ?, ?, ?, ?, ?)`

// RoomOps lists a room's membership operations, in no particular order:
// the replay orders them.
func (s *Store) RoomOps(ctx context.Context, room string) ([]RoomOp, error) {
	rows, err := s.reader.QueryContext(ctx, `SELECT hash, id, author, seq, op, name FROM room_ops WHERE room = ?`, room)
	if err != nil {
		return nil, fmt.Errorf("storage: membership of room %s: %w", room, err)
	}
	return scanAll(rows, "membership of room "+room, func(sc scanner) (RoomOp, error) {
		var o RoomOp
		var hash []byte
		var seq int64
		if err := sc.Scan(&hash, &o.ID, &o.Author, &seq, &o.Op, &o.Name); err != nil {
			return o, err
		}
		if len(hash) != len(o.Hash) {
			return o, fmt.Errorf("operation hash of %d bytes", len(hash))
		}
		copy(o.Hash[:], hash)
		o.Seq = uint64(seq)
		return o, nil
	})
}

const firstRoomJoinSQL = `SELECT author FROM messages WHERE conv = ? AND kind = ?
	ORDER BY hlc, author, author_seq LIMIT 1`

// FirstRoomJoin is the author of the earliest join in the room's order
// (hlc, author, seq): the owner of a room made before operations existed.
func (s *Store) FirstRoomJoin(ctx context.Context, room string) (string, bool, error) {
	var author string
	err := s.reader.QueryRowContext(ctx, firstRoomJoinSQL, RoomConv(room), KindJoin).Scan(&author)
	if err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return "", false, nil
		}
		return "", false, fmt.Errorf("storage: first join of room %s: %w", room, err)
	}
	return author, true, nil
}
