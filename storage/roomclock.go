package storage

import (
	"context"
	"database/sql"
	"fmt"
)

// neighbourClocksSQL reads the clocks of an author's nearest seqs stored
// below and above ?3, NULL where there is none: two seeks along the
// primary key.
const neighbourClocksSQL = `
	SELECT (SELECT hlc FROM room_envelopes WHERE room = ?1 AND author = ?2 AND seq < ?3 ORDER BY seq DESC LIMIT 1),
	       (SELECT hlc FROM room_envelopes WHERE room = ?1 AND author = ?2 AND seq > ?3 ORDER BY seq LIMIT 1)`

const setEnvelopeClockSQL = `UPDATE room_envelopes SET hlc = ?4 WHERE room = ?1 AND author = ?2 AND seq = ?3`

// lastStored is the entry of an author this transaction stored last, and
// whether nothing of the author is stored above it: the next seq then needs
// no lookup, which spares a batch of consecutive messages one per entry.
type lastStored struct {
	seq, hlc uint64
	top      bool
}

// keepAuthorOrder moves the clock of e, just stored, between those of its
// author's neighbouring seqs (see InsertRoomEntries).
func (w *logWriter) keepAuthorOrder(ctx context.Context, e RoomEntry) (RoomEntry, error) {
	k := headKey{e.Room, e.Author}
	var below, above sql.NullInt64
	if l, ok := w.last[k]; ok && l.top && e.Seq == l.seq+1 {
		below = sql.NullInt64{Int64: int64(l.hlc), Valid: true}
	} else {
		err := w.bind(ctx, &w.around, w.st.neighbourClocks).QueryRowContext(ctx, e.Room, e.Author, int64(e.Seq)).Scan(&below, &above)
		if err != nil {
			return e, fmt.Errorf("read the author's clocks: %w", err)
		}
	}
	hlc := e.HLC
	if above.Valid {
		hlc = min(hlc, uint64(above.Int64))
	}
	if below.Valid {
		hlc = max(hlc, uint64(below.Int64))
	}
	if w.last == nil {
		w.last = map[headKey]lastStored{}
	}
	w.last[k] = lastStored{seq: e.Seq, hlc: hlc, top: !above.Valid}
	if hlc == e.HLC {
		return e, nil
	}
	if _, err := w.tx.ExecContext(ctx, setEnvelopeClockSQL, e.Room, e.Author, int64(e.Seq), int64(hlc)); err != nil {
		return e, fmt.Errorf("order the author's clock: %w", err)
	}
	e.HLC, e.Message.HLC = hlc, hlc
	return e, nil
}
