package rooms

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"sync"
	"time"

	"hallway/chat"
	hcrypto "hallway/crypto"
	"hallway/p2p"
	"hallway/storage"

	ic "github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"
)

const (
	// receiptEvery is the least time between two receipts this node sends
	// in one room: what commits and reads bring in between goes in the
	// next one.
	receiptEvery = 3 * time.Second
	// receiptFloor is the least time between two receipts of one member in
	// one room that intake takes; faster ones are dropped, not forwarded.
	receiptFloor = time.Second
	// receiptsAskEvery is how often sync asks one peer for the receipts it
	// keeps (and on every new connection).
	receiptsAskEvery = 30 * time.Second
)

// receiptStore keeps each member's latest receipt and reads what ours says.
type receiptStore interface {
	PutRoomReceipt(ctx context.Context, r storage.RoomReceipt) (bool, error)
	RoomReceipts(ctx context.Context, room string) ([]storage.RoomReceipt, error)
	RoomReadSeqs(ctx context.Context, room string, hlc uint64) (map[string]uint64, error)
	RoomHeads(ctx context.Context, room string) (map[string]uint64, error)
	Room(ctx context.Context, id string) (storage.Room, bool, error)
	RoomMembers(ctx context.Context, room string) ([]storage.Member, error)
}

// receipts sends this node's receipts (debounced per room) and takes the
// members' ones from gossip and sync. A receipt is never a message: it is
// kept apart, latest per member, and shown as counts on our own posts.
type receipts struct {
	store  receiptStore
	self   func() peer.ID
	key    ic.PrivKey
	joined *Registry
	spawn  Spawner
	pub    Publisher
	log    *slog.Logger
	// readShared reports whether our receipts carry read positions.
	readShared func() bool
	// floor is receiptFloor; tests lower it.
	floor time.Duration

	mu      sync.Mutex
	due     map[string]bool                // rooms with a send scheduled
	sent    map[string]time.Time           // when we last sent in a room
	lastAt  int64                          // the last At we signed
	said    map[string]string              // per room, what our last receipt said
	took    map[authorKey]time.Time        // when intake last took a member's receipt
	asked   map[peer.ID]time.Time          // when sync last asked a peer for receipts
	members map[string]map[string]struct{} // cached member sets, cleared on change
}

func newReceipts(store receiptStore, self func() peer.ID, key ic.PrivKey, joined *Registry, spawn Spawner, pub Publisher, log *slog.Logger) *receipts {
	return &receipts{store: store, self: self, key: key, joined: joined, spawn: spawn, pub: pub, log: log,
		readShared: func() bool { return true }, floor: receiptFloor,
		due: map[string]bool{}, said: map[string]string{}, sent: map[string]time.Time{}, took: map[authorKey]time.Time{},
		asked: map[peer.ID]time.Time{}, members: map[string]map[string]struct{}{}}
}

// touch schedules our receipt for room: now when none was sent for
// receiptEvery, else when that much has passed since the last one.
func (r *receipts) touch(room string) {
	j := r.joined.Get(room)
	if j == nil || j.liveOnly || r.key == nil {
		return
	}
	r.mu.Lock()
	if r.due[room] {
		r.mu.Unlock()
		return
	}
	r.due[room] = true
	wait := time.Until(r.sent[room].Add(receiptEvery))
	r.mu.Unlock()
	r.spawn.Go(func(ctx context.Context) {
		if wait > 0 {
			t := time.NewTimer(wait)
			defer t.Stop()
			select {
			case <-t.C:
			case <-ctx.Done():
				return
			}
		}
		r.mu.Lock()
		delete(r.due, room)
		r.sent[room] = time.Now()
		r.mu.Unlock()
		if err := r.send(ctx, room, false); err != nil {
			r.log.Debug("room receipt", "room", room, "err", err)
		}
	})
}

// send seals our receipt for room, keeps it (sync serves it on) and
// gossips it; unless force, only when it says something the last one did
// not (members that missed it get it from sync).
func (r *receipts) send(ctx context.Context, room string, force bool) error {
	j := r.joined.Get(room)
	if j == nil {
		return nil
	}
	rec, err := r.content(ctx, j)
	if err != nil {
		return err
	}
	said := fmt.Sprint(rec.ReadShared, rec.Heads)
	r.mu.Lock()
	same := r.said[room] == said
	r.said[room] = said
	r.mu.Unlock()
	if same && !force {
		return nil
	}
	raw, at, err := r.seal(j, rec)
	if err != nil {
		return err
	}
	if _, err := r.store.PutRoomReceipt(ctx, storage.RoomReceipt{Room: room, Member: r.self().String(), At: at, Raw: raw}); err != nil {
		return err
	}
	return j.topic.Publish(ctx, raw)
}

// content is what our receipt for j says now.
func (r *receipts) content(ctx context.Context, j *Joined) (hcrypto.Receipt, error) {
	heads, err := r.store.RoomHeads(ctx, j.id)
	if err != nil {
		return hcrypto.Receipt{}, err
	}
	rec := hcrypto.Receipt{Room: j.id, Member: []byte(r.self()), ReadShared: r.readShared()}
	var read map[string]uint64
	if rec.ReadShared {
		row, ok, err := r.store.Room(ctx, j.id)
		if err != nil {
			return hcrypto.Receipt{}, err
		}
		if ok && row.LastReadHLC > 0 {
			if read, err = r.store.RoomReadSeqs(ctx, j.id, row.LastReadHLC); err != nil {
				return hcrypto.Receipt{}, err
			}
		}
	}
	for author, held := range heads {
		id, err := peer.Decode(author)
		if err != nil || held == 0 {
			continue
		}
		rec.Heads = append(rec.Heads, hcrypto.ReceiptHead{Author: []byte(id), Held: held, Read: min(read[author], held)})
	}
	slices.SortFunc(rec.Heads, func(a, b hcrypto.ReceiptHead) int { return bytes.Compare(a.Author, b.Author) })
	if len(rec.Heads) > hcrypto.MaxReceiptAuthors {
		rec.Heads = rec.Heads[:hcrypto.MaxReceiptAuthors]
	}
	return rec, nil
}

// seal signs rec now.
func (r *receipts) seal(j *Joined, rec hcrypto.Receipt) ([]byte, int64, error) {
	r.mu.Lock()
	rec.At = max(time.Now().UnixMilli(), r.lastAt+1)
	r.lastAt = rec.At
	r.mu.Unlock()
	raw, err := hcrypto.SealReceipt(j.key, r.key, rec)
	return raw, rec.At, err
}

// receiptIn is a receipt that intake accepted, to keep.
type receiptIn struct {
	room, member string
	at           int64
	raw          []byte
}

// admit authenticates a receipt frame for j. sender, when it came by
// gossip, must be its member. It is refused when it does not open with
// the room key, is not signed by its member, or its member is not one of
// the room's; dropped (ErrIgnore) when it comes faster than receiptFloor.
func (r *receipts) admit(ctx context.Context, j *Joined, raw []byte, sender *peer.ID) (*receiptIn, error) {
	if j.liveOnly {
		return nil, fmt.Errorf("%w: no receipts in a live-only room", p2p.ErrIgnore)
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
	if sender != nil && member != *sender {
		return nil, fmt.Errorf("receipt of %s sent by %s", member.ShortString(), sender.ShortString())
	}
	pub, err := member.ExtractPublicKey()
	if err != nil {
		return nil, fmt.Errorf("receipt member key: %w", err)
	}
	if err := s.Verify(pub); err != nil {
		return nil, err
	}
	if _, err := s.Open(j.key); err != nil {
		return nil, err
	}
	if !r.isMember(ctx, j.id, member.String()) {
		// Not the forwarder's fault: its member list may be ahead of ours.
		return nil, fmt.Errorf("%w: receipt of %s, who is not a member of the room", p2p.ErrIgnore, member.ShortString())
	}
	if sender != nil && member != r.self() { // our own is checked as we publish it
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
	return &receiptIn{room: j.id, member: member.String(), at: s.At, raw: raw}, nil
}

// isMember reports whether id is a member of room now.
func (r *receipts) isMember(ctx context.Context, room, id string) bool {
	r.mu.Lock()
	set, ok := r.members[room]
	r.mu.Unlock()
	if !ok {
		list, err := r.store.RoomMembers(ctx, room)
		if err != nil {
			return false
		}
		set = make(map[string]struct{}, len(list))
		for _, m := range list {
			set[m.Peer] = struct{}{}
		}
		r.mu.Lock()
		r.members[room] = set
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

// keep stores an accepted receipt and, when newer than the one held,
// announces it. Ours is kept as we send it.
func (r *receipts) keep(ctx context.Context, in *receiptIn) {
	if in.member == r.self().String() {
		return
	}
	newer, err := r.store.PutRoomReceipt(ctx, storage.RoomReceipt{Room: in.room, Member: in.member, At: in.at, Raw: in.raw})
	if err != nil {
		r.log.Debug("keep room receipt", "room", in.room, "err", err)
		return
	}
	if newer {
		r.pub.Publish(chat.ReceiptsChanged{Room: in.room})
	}
}

// askFor reports whether a sync with id should ask for receipts: on the
// first sync with a peer since it connected, then every receiptsAskEvery.
func (r *receipts) askFor(id peer.ID) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if time.Since(r.asked[id]) < receiptsAskEvery {
		return false
	}
	r.asked[id] = time.Now()
	return true
}

// connected makes the next sync with id ask for receipts.
func (r *receipts) connected(id peer.ID) {
	r.mu.Lock()
	delete(r.asked, id)
	r.mu.Unlock()
}

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
	members, err := r.store.RoomMembers(ctx, j.id)
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
		rec, err := sealed.Open(j.key)
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
