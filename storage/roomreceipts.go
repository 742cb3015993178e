package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// MaxReceiptBytes caps one stored receipt, as a receipt frame is capped on
// the wire.
const MaxReceiptBytes = 32 << 10

// RoomReceipt is the latest receipt a member of a room sent, as it was
// signed: At is the member's clock, Raw the frame.
type RoomReceipt struct {
	Room, Member string
	At           int64
	Raw          []byte
}

const putReceiptSQL = `INSERT INTO room_receipts (room, member, at, raw) VALUES (?, ?, ?, ?)
	ON CONFLICT (room, member) DO UPDATE SET at = excluded.at, raw = excluded.raw
	WHERE excluded.at > room_receipts.at`

// PutRoomReceipts keeps each of rs as its member's latest receipt in its
// room unless one as new or newer is kept, all in one transaction: a sync
// answer brings every member's receipt at once.
// newer[i] reports whether rs[i] replaced the one held. None is kept when
// one of them is malformed.
func (s *Store) PutRoomReceipts(ctx context.Context, rs []RoomReceipt) (newer []bool, err error) {
	for _, r := range rs {
		switch {
		case r.Room == "" || r.Member == "":
			return nil, errors.New("storage: put room receipt: empty room or member")
		case len(r.Raw) == 0 || len(r.Raw) > MaxReceiptBytes:
			return nil, fmt.Errorf("storage: put room receipt: %d bytes is outside 1..%d", len(r.Raw), MaxReceiptBytes)
		}
	}
	if len(rs) == 0 {
		return nil, nil
	}
	newer = make([]bool, len(rs))
	// A receipt is soft state, sent again every few seconds while it
	// changes and fetched by every sync: committed without an fsync of its
	// own (the next durable commit carries it), which on a busy room took
	// more time than the messages.
	err = s.inTxWith(ctx, Replicated, func(tx *sql.Tx) error {
		put := tx.StmtContext(ctx, s.stmts.putReceipt)
		for i, r := range rs {
			res, err := put.ExecContext(ctx, r.Room, r.Member, r.At, r.Raw)
			if err != nil {
				return fmt.Errorf("%s in %s: %w", r.Member, r.Room, err)
			}
			n, err := res.RowsAffected()
			if err != nil {
				return err
			}
			newer[i] = n > 0
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("storage: put room receipts: %w", err)
	}
	return newer, nil
}

// RoomReceipts returns the latest receipt of each member of room that sent
// one, by member.
func (s *Store) RoomReceipts(ctx context.Context, room string) ([]RoomReceipt, error) {
	rows, err := s.reader.QueryContext(ctx, `SELECT member, at, raw FROM room_receipts WHERE room = ? ORDER BY member`, room)
	if err != nil {
		return nil, fmt.Errorf("storage: room receipts of %s: %w", room, err)
	}
	defer rows.Close()
	var out []RoomReceipt
	for rows.Next() {
		r := RoomReceipt{Room: room}
		if err := rows.Scan(&r.Member, &r.At, &r.Raw); err != nil {
			return nil, fmt.Errorf("storage: room receipts of %s: %w", room, err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("storage: room receipts of %s: %w", room, err)
	}
	return out, nil
}

const roomReadSeqsSQL = `SELECT author, max(author_seq) FROM messages
	WHERE conv = ? AND hlc <= ? AND author_seq > 0 GROUP BY author`

// RoomReadSeqs is, per author, the highest seq among room's messages at or
// before the clock hlc in display order: what a reader whose marker is at
// hlc has read of each author.
func (s *Store) RoomReadSeqs(ctx context.Context, room string, hlc uint64) (map[string]uint64, error) {
	rows, err := s.reader.QueryContext(ctx, roomReadSeqsSQL, RoomConv(room), int64(min(hlc, 1<<63-1)))
	if err != nil {
		return nil, fmt.Errorf("storage: read seqs of %s: %w", room, err)
	}
	defer rows.Close()
	out := map[string]uint64{}
	for rows.Next() {
		var a string
		var seq int64
		if err := rows.Scan(&a, &seq); err != nil {
			return nil, fmt.Errorf("storage: read seqs of %s: %w", room, err)
		}
		out[a] = uint64(seq)
	}
	return out, rows.Err()
}
