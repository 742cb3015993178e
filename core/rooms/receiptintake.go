package rooms

import (
	"context"
	"crypto/sha256"
	"fmt"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"

	"hallway/chat"
	hcrypto "hallway/crypto"
	"hallway/p2p"
	"hallway/storage"
)

// receiptIn is a receipt that intake accepted, to keep.
type receiptIn struct {
	room, member string
	at           int64
	raw          []byte
}

// admit authenticates a receipt frame for j, gossiped or fetched by sync.
// It is refused when it does not open with
// the room key, is not signed by its member, or its member is not one of
// the room's; dropped (ErrIgnore) when it comes faster than receiptFloor.
func (r *receipts) admit(ctx context.Context, j *Joined, raw []byte, gossiped bool) (*receiptIn, error) {
	if j.liveOnly {
		return nil, fmt.Errorf("%w: no receipts in a live-only room", p2p.ErrIgnore)
	}
	// Every sync that asks for receipts brings the room's whole set:
	// one taken before is not checked or stored again.
	digest := sha256.Sum256(raw)
	r.mu.Lock()
	_, seen := r.admitted[digest]
	r.mu.Unlock()
	if seen {
		return nil, fmt.Errorf("%w: a receipt taken already", p2p.ErrIgnore)
	}
	s, err := hcrypto.UnmarshalReceipt(raw)
	if err != nil {
		return nil, err
	}
	if s.Room != j.id {
		return nil, fmt.Errorf("receipt for room %q on room %q", s.Room, j.id)
	}
	member, err := peer.IDFromBytes(s.Member)
	if err != nil {
		return nil, fmt.Errorf("receipt member: %w", err)
	}
	// Membership first: it costs a map lookup, where the signature and
	// the seal cost a verification and a decryption, and a sync answer
	// carries the receipts of every member the answerer knows, some of
	// whom we may not know yet. A forged claim gains nothing by it: the
	// receipt of a member is verified all the same.
	if !r.isMember(ctx, j.id, member.String()) {
		// Not the forwarder's fault: its member list may be ahead of ours.
		return nil, fmt.Errorf("%w: receipt of %s, who is not a member of the room", p2p.ErrIgnore, member.ShortString())
	}
	pub, err := member.ExtractPublicKey()
	if err != nil {
		return nil, fmt.Errorf("receipt member key: %w", err)
	}
	if err := s.Verify(pub); err != nil {
		return nil, err
	}
	if _, err := j.openReceipt(s); err != nil {
		return nil, err
	}
	if gossiped && member != r.self() { // our own is checked as we publish it
		k := authorKey{j.id, member.String()}
		r.mu.Lock()
		last := r.took[k]
		fast := time.Since(last) < r.floor
		if !fast {
			r.took[k] = time.Now()
		}
		r.mu.Unlock()
		if fast {
			return nil, fmt.Errorf("%w: receipts faster than one a second", p2p.ErrIgnore)
		}
	}
	r.mu.Lock()
	if len(r.admitted) >= maxAdmittedReceipts {
		clear(r.admitted)
	}
	r.admitted[digest] = struct{}{}
	r.mu.Unlock()
	return &receiptIn{room: j.id, member: member.String(), at: s.At, raw: raw}, nil
}

// maxAdmittedReceipts bounds the digests kept; forgetting them costs one
// check per receipt.
const maxAdmittedReceipts = 1 << 14

// isMember reports whether id is a member of room now.
func (r *receipts) isMember(ctx context.Context, room, id string) bool {
	r.mu.Lock()
	set, ok := r.members[room]
	r.mu.Unlock()
	if !ok {
		j := r.joined.Get(room)
		if j == nil {
			return false
		}
		list, err := r.memberList(ctx, j)
		if err != nil {
			return false
		}
		set = make(map[string]struct{}, len(list))
		for _, m := range list {
			set[m.Peer] = struct{}{}
		}
		r.mu.Lock()
		r.members[room] = set
		r.sizes[room] = len(set)
		r.mu.Unlock()
	}
	_, in := set[id]
	return in
}

// membersChanged forgets the cached members of room.
func (r *receipts) membersChanged(room string) {
	r.mu.Lock()
	delete(r.members, room)
	r.mu.Unlock()
}

// keep stores accepted receipts, all in one transaction, and announces
// each room where one was newer than the receipt held. Ours is kept as we
// send it.
func (r *receipts) keep(ctx context.Context, ins ...*receiptIn) {
	self := r.self().String()
	var rs []storage.RoomReceipt
	for _, in := range ins {
		if in.member != self {
			rs = append(rs, storage.RoomReceipt{Room: in.room, Member: in.member, At: in.at, Raw: in.raw})
		}
	}
	if len(rs) == 0 {
		return
	}
	newer, err := r.store.PutRoomReceipts(ctx, rs)
	if err != nil {
		r.log.Debug("keep room receipts", "receipts", len(rs), "err", err)
		return
	}
	announced := map[string]bool{}
	for i, n := range newer {
		if room := rs[i].Room; n && !announced[room] {
			announced[room] = true
			r.pub.Publish(chat.ReceiptsChanged{Room: room})
		}
	}
}
