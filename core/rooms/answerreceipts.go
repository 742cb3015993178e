package rooms

import (
	"context"
	"errors"
	"fmt"

	hcrypto "hallway/crypto"
	"hallway/p2p"
)

// maxHeldReceiptBytes bounds the receipts of one sync answer held back
// until the envelopes before them are stored (answerReceipts).
const maxHeldReceiptBytes = 4 << 20

// answerReceipts takes the receipts of one sync answer. A receipt counts
// only for a member of its room, and the answer that carries it usually
// also carries, ahead of it, the join of a member we had not heard of:
// checked as it arrives, that member's receipt would be dropped, and
// fetched again with every later sync until the join was in. So each
// receipt is checked for its form and room as it arrives (a bad one fails
// the answer, like a bad envelope) and admitted once the envelopes read
// before it are stored; past maxHeldReceiptBytes, the envelopes read so
// far are stored early.
type answerReceipts struct {
	y     *Syncer
	asked map[string]*Joined
	held  []heldReceipt
	bytes int
	in    []*receiptIn // admitted, to keep together at the answer's end
}

type heldReceipt struct {
	j   *Joined
	raw []byte
}

// hold checks a receipt the answer carried and holds it. full: the
// envelopes read so far are to be stored, and the held receipts admitted.
func (a *answerReceipts) hold(raw []byte) (full bool, err error) {
	if a.y.receipts == nil {
		return false, errors.New("peer sent a receipt we did not ask for")
	}
	s, err := hcrypto.UnmarshalReceipt(raw)
	if err != nil {
		return false, err
	}
	j := a.asked[s.Room]
	if j == nil {
		return false, errors.New("peer sent a receipt of a room we did not ask for")
	}
	a.held = append(a.held, heldReceipt{j, raw})
	a.bytes += len(raw)
	return a.bytes >= maxHeldReceiptBytes, nil
}

// admit authenticates the held receipts, now that the envelopes before
// them are stored. One that does not pass is not kept; the answer's
// envelopes still are.
func (a *answerReceipts) admit(ctx context.Context) {
	for _, h := range a.held {
		in, err := a.y.receipts.admit(ctx, h.j, h.raw, false)
		if err != nil {
			a.y.log.Debug("room receipt in a sync answer", "room", h.j.id, "err", err)
			continue
		}
		a.in = append(a.in, in)
	}
	a.held, a.bytes = nil, 0
}

// receiptsHeld is, per member of j, the clock of the member's receipt we
// hold, for a sync request: the peer sends only newer ones. At most
// p2p.MaxSyncAuthors members are named; the others' receipts come again.
func (y *Syncer) receiptsHeld(ctx context.Context, j *Joined) (map[string]int64, error) {
	held, err := y.store.RoomReceiptClocks(ctx, j.id)
	if err != nil {
		return nil, fmt.Errorf("read room receipts: %w", err)
	}
	if len(held) == 0 {
		return nil, nil
	}
	for m := range held {
		if len(held) <= p2p.MaxSyncAuthors {
			break
		}
		delete(held, m)
	}
	return held, nil
}
