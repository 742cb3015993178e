package rooms

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	hcrypto "hallway/crypto"
	"hallway/storage"

	ic "github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"
)

const (
	// receiptEvery is the least time between two receipts this node sends
	// in one room: what commits and reads bring in between goes in the
	// next one.
	receiptEvery = 3 * time.Second
	// receiptMembersPerStep is how many members a room has for each
	// receiptEvery between two of our receipts (receiptInterval).
	receiptMembersPerStep = 25
	// receiptFloor is the least time between two receipts of one member in
	// one room that intake takes; faster ones are dropped, not forwarded.
	receiptFloor = time.Second
	// receiptsAskEvery is how often sync asks one peer for the receipts it
	// keeps (and on every new connection).
	receiptsAskEvery = 30 * time.Second
	// receiptsAskHold is how long a sync asking for receipts keeps other
	// syncs from asking: past it, one that answers slowly (or on purpose
	// to hold the others back) no longer does.
	receiptsAskHold = 15 * time.Second
)

// receiptStore keeps each member's latest receipt and reads what ours says.
type receiptStore interface {
	PutRoomReceipts(ctx context.Context, rs []storage.RoomReceipt) ([]bool, error)
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

	mu       sync.Mutex
	due      map[string]bool                // rooms with a send scheduled
	sent     map[string]time.Time           // when we last sent in a room
	lastAt   int64                          // the last At we signed
	said     map[string]string              // per room, what our last receipt said
	took     map[authorKey]time.Time        // when intake last took a member's receipt
	asked    map[peer.ID]time.Time          // when sync last asked a peer for receipts
	asking   peer.ID                        // the peer a sync asks for receipts now, if any
	askedAt  time.Time                      // when that sync began
	members  map[string]map[string]struct{} // cached member sets, cleared on change
	admitted map[[32]byte]struct{}          // digests of receipts taken, so a copy costs no check
	// memberList is a room's members as its membership log has them.
	memberList func(ctx context.Context, j *Joined) ([]storage.Member, error)
	// sizes is how many members each room had when its set was last
	// built: kept across changes, so that a room whose members change
	// often (an office arriving) keeps its receipts spaced by its size.
	sizes map[string]int
}

func newReceipts(store receiptStore, self func() peer.ID, key ic.PrivKey, joined *Registry, spawn Spawner, pub Publisher, log *slog.Logger) *receipts {
	return &receipts{store: store, self: self, key: key, joined: joined, spawn: spawn, pub: pub, log: log,
		readShared: func() bool { return true }, floor: receiptFloor,
		due: map[string]bool{}, said: map[string]string{}, sent: map[string]time.Time{}, took: map[authorKey]time.Time{},
		asked: map[peer.ID]time.Time{}, members: map[string]map[string]struct{}{}, sizes: map[string]int{}, admitted: map[[32]byte]struct{}{}}
}

// receiptInterval is the least time between two of our receipts in a room
// of the given members: receiptEvery, and one more for every
// receiptMembersPerStep members. Every member checks every other's
// receipts, so a room's receipts cost each member work in proportion to
// its size; spacing them by size keeps that flat (at most about 8 checks
// a second for each member whatever the size: 27 s between receipts in a
// room of 200), and in a room that large a receipt a little later is
// still soon enough.
func receiptInterval(members int) time.Duration {
	return receiptEvery * time.Duration(1+members/receiptMembersPerStep)
}

// touch schedules our receipt for room: now when none was sent for its
// receiptInterval, else when that much has passed since the last one. The
// room's size is what intake last counted of its members, kept while they
// change (none counted yet: a small room's interval).
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
	wait := time.Until(r.sent[room].Add(receiptInterval(r.sizes[room])))
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
	if _, err := r.store.PutRoomReceipts(ctx, []storage.RoomReceipt{{Room: room, Member: r.self().String(), At: at, Raw: raw}}); err != nil {
		return err
	}
	return j.Publish(ctx, raw)
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
	_, key := j.current() // the newest epoch's: the removed read none
	raw, err := hcrypto.SealReceipt(key, r.key, rec)
	return raw, rec.At, err
}

// askFor reports whether a sync with id should ask for receipts: on the
// first sync with a peer since it connected, then every receiptsAskEvery,
// and not while another sync asks (askDone ends it; receiptsAskHold at
// most). A room's receipts are
// the same at every member caught up: a node that just came into an
// office connects to everyone within seconds, and syncs asking at once
// would each bring the whole set again, read and sent by every answerer
// and checked and dropped here. A peer passed over is asked at its next
// sync, when what the first answer brought is counted as held.
func (r *receipts) askFor(id peer.ID) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	now := time.Now()
	if r.asking != "" && now.Sub(r.askedAt) < receiptsAskHold || now.Sub(r.asked[id]) < receiptsAskEvery {
		return false
	}
	r.asked[id] = now
	r.asking, r.askedAt = id, now
	return true
}

// askDone ends the sync with id that askFor let ask for receipts (unless
// another has begun since).
func (r *receipts) askDone(id peer.ID) {
	r.mu.Lock()
	if r.asking == id {
		r.asking = ""
	}
	r.mu.Unlock()
}

// connected makes the next sync with id ask for receipts.
func (r *receipts) connected(id peer.ID) {
	r.mu.Lock()
	delete(r.asked, id)
	r.mu.Unlock()
}
