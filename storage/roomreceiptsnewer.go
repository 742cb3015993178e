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
func (s *Store) RoomReceiptsNewer(ctx context.Context, room string, held map[string]int64) ([]RoomReceipt, error) {
	if len(held) == 0 { // all are wanted: one scan, without reading the clocks first
		return s.RoomReceipts(ctx, room)
	}
	clocks, err := s.RoomReceiptClocks(ctx, room)
	if err != nil {
		return nil, err
	}
	var want []string
	for member, at := range clocks {
		if h, ok := held[member]; !ok || at > h {
			want = append(want, member)
		}
	}
	if len(want) == 0 {
		return nil, nil
	}
	slices.Sort(want)
	if len(want) > maxReceiptLookups {
		all, err := s.RoomReceipts(ctx, room)
		if err != nil {
			return nil, err
		}
		out := all[:0]
		for _, r := range all {
			if h, ok := held[r.Member]; !ok || r.At > h {
				out = append(out, r)
			}
		}
		return out, nil
	}
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
