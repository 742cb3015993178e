package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
)

// A room's receipts are read far more often than they change: every sync
// that asks for them says which it holds, and the answer carries only the
// newer ones. A receipt names what its member holds of each author, so in
// a room of a hundred it runs to kilobytes and its row spills into
// overflow pages; reading the clocks alone leaves those unread.

const (
	receiptAtsSQL = `SELECT member, at FROM room_receipts WHERE room = ?`
	receiptRawSQL = `SELECT at, raw FROM room_receipts WHERE room = ? AND member = ?`
)

// maxReceiptLookups is how many receipts RoomReceiptsNewer reads one by
// one; past it, one scan of the room's receipts costs less.
const maxReceiptLookups = 32

// RoomReceiptClocks is, per member of room that sent a receipt, the clock
// of the latest one kept, without the receipts themselves.
func (s *Store) RoomReceiptClocks(ctx context.Context, room string) (map[string]int64, error) {
	rows, err := s.stmts.receiptAts.QueryContext(ctx, room)
	if err != nil {
		return nil, fmt.Errorf("storage: receipt clocks of %s: %w", room, err)
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var member string
		var at int64
		if err := rows.Scan(&member, &at); err != nil {
			return nil, fmt.Errorf("storage: receipt clocks of %s: %w", room, err)
		}
		out[member] = at
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("storage: receipt clocks of %s: %w", room, err)
	}
	return out, nil
}

// RoomReceiptsNewer returns the receipts kept in room that held lacks:
// of a member it does not name, or newer than the clock it gives.
//
// The way it reads them follows from held before anything is read: an
// asker naming fewer than maxReceiptLookups members either asks a small
// room, or lacks most of a large one (a colleague just connected), and
// one scan serves it; otherwise the clocks say which receipts it lacks,
// read one by one when they are few.
func (s *Store) RoomReceiptsNewer(ctx context.Context, room string, held map[string]int64) ([]RoomReceipt, error) {
	if len(held) < maxReceiptLookups {
		return s.receiptsScanned(ctx, room, held)
	}
	clocks, err := s.RoomReceiptClocks(ctx, room)
	if err != nil {
		return nil, err
	}
	var want []string
	for member, at := range clocks {
		if lacks(held, member, at) {
			want = append(want, member)
		}
	}
	if len(want) == 0 {
		return nil, nil
	}
	if len(want) > maxReceiptLookups {
		return s.receiptsScanned(ctx, room, held)
	}
	slices.Sort(want)
	out := make([]RoomReceipt, 0, len(want))
	for _, member := range want {
		r := RoomReceipt{Room: room, Member: member}
		err := s.stmts.receiptRaw.QueryRowContext(ctx, room, member).Scan(&r.At, &r.Raw)
		if errors.Is(err, sql.ErrNoRows) {
			continue // the room was left meanwhile
		}
		if err != nil {
			return nil, fmt.Errorf("storage: receipt of %s in %s: %w", member, room, err)
		}
		out = append(out, r)
	}
	return out, nil
}

// receiptsScanned reads room's receipts in one scan and keeps those held lacks.
func (s *Store) receiptsScanned(ctx context.Context, room string, held map[string]int64) ([]RoomReceipt, error) {
	all, err := s.RoomReceipts(ctx, room)
	if err != nil {
		return nil, err
	}
	out := all[:0]
	for _, r := range all {
		if lacks(held, r.Member, r.At) {
			out = append(out, r)
		}
	}
	return out, nil
}

// lacks reports whether held misses member's receipt of clock at.
func lacks(held map[string]int64, member string, at int64) bool {
	h, ok := held[member]
	return !ok || at > h
}
