package rooms

import (
	"context"
	"maps"
	"slices"

	"hallway/chat"
	hcrypto "hallway/crypto"
	"hallway/storage"
)

// counts fills in the receipts of our own messages in rows of j, from the
// latest receipt of each current member. name names a member by peer id.
func (r *receipts) counts(ctx context.Context, j *Joined, out []chat.Message, name func(storage.Member) string) error {
	self := r.self().String()
	own := false
	for _, m := range out {
		own = own || (m.Outgoing && m.AuthorSeq > 0)
	}
	if !own || j.liveOnly {
		return nil
	}
	members, err := r.memberList(ctx, j)
	if err != nil {
		return err
	}
	others := map[string]storage.Member{}
	for _, m := range members {
		if m.Peer != self {
			others[m.Peer] = m
		}
	}
	stored, err := r.store.RoomReceipts(ctx, j.id)
	if err != nil {
		return err
	}
	type pos struct{ held, read uint64 }
	at := map[string]pos{}
	for _, s := range stored {
		if _, ok := others[s.Member]; !ok {
			continue
		}
		sealed, err := hcrypto.UnmarshalReceipt(s.Raw)
		if err != nil {
			continue
		}
		rec, err := j.openReceipt(sealed)
		if err != nil {
			continue
		}
		for _, h := range rec.Heads {
			if string(h.Author) == string(r.self()) {
				at[s.Member] = pos{held: h.Held, read: h.Read}
			}
		}
	}
	ids := slices.Sorted(maps.Keys(others))
	for i := range out {
		m := &out[i]
		if !m.Outgoing || m.AuthorSeq == 0 {
			continue
		}
		rc := &chat.Receipts{Members: len(others)}
		for _, id := range ids {
			p := at[id]
			if p.held >= m.AuthorSeq {
				rc.Delivered++
				rc.DeliveredTo = append(rc.DeliveredTo, name(others[id]))
			}
			if p.read >= m.AuthorSeq {
				rc.Read++
				rc.ReadBy = append(rc.ReadBy, name(others[id]))
			}
		}
		m.Receipts = rc
	}
	return nil
}
