package rooms

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"hallway/p2p"
	"hallway/storage"

	"github.com/libp2p/go-libp2p/core/peer"
)

const (
	// syncEvery is how often each room is compared with one online
	// member: the safety net that catches messages lost at the tail of a
	// burst, where no later message reveals the gap.
	syncEvery = 5 * time.Second
	// gapDelay lets the rest of a burst arrive before asking for a hole.
	gapDelay = 200 * time.Millisecond
	// syncRounds bounds repeated requests to one peer for one trigger.
	syncRounds = 50
	// maxProvenKept bounds the (peer, room) pairs whose newest proven
	// epoch is remembered; forgetting costs one extra sync.
	maxProvenKept = 1 << 14
)

// syncStore is the room log as sync reads it.
type syncStore interface {
	RoomVectorOf(ctx context.Context, room string, window uint64) (storage.RoomVector, error)
	RoomEnvelopesMissing(ctx context.Context, room string, v storage.RoomVector, window uint64, limit int) ([][]byte, error)
	RoomReceiptClocks(ctx context.Context, room string) (map[string]int64, error)
	RoomReceiptsNewer(ctx context.Context, room string, held map[string]int64) ([]storage.RoomReceipt, error)
	forkStore
}

// syncNet is the network as sync uses it.
type syncNet interface {
	ID() peer.ID
	ConnectedPeers() []peer.ID
	Sync(ctx context.Context, to peer.ID, build func(challenge []byte) p2p.SyncRequest, each func(raw []byte) error) error
	MarkProven(id peer.ID, topic string)
}

// Syncer runs the room catch-up protocol: on connect, on a detected gap
// and periodically, it asks peers for what our version vectors lack, and
// it answers theirs (it is the node's p2p.SyncServer). At most one sync
// runs per peer; a trigger during one reruns it after. The catch-ups that
// meeting starts wait for a turn (catchUpsAtOnce).
type Syncer struct {
	joined *Registry
	store  syncStore
	net    syncNet
	spawn  Spawner
	commit *committer
	blocks Blocks
	log    *slog.Logger
	// receipts takes the receipts sync brings and serves ours; nil: none.
	receipts *receipts
	// served is told, for each room a peer asks us to sync, of the
	// epochs it proved it holds; nil: nobody.
	served func(j *Joined, from peer.ID, proven map[uint64]bool)
	// pulled is told of each pull that completed without error, with the
	// rooms it asked for (nil: every joined room); nil: nobody.
	pulled func(id peer.ID, rooms []string)

	mu      sync.Mutex                  // guards running, again and gaps
	running map[peer.ID]bool            // peers a sync runs with
	again   map[peer.ID]map[string]bool // rooms to sync once the running one ends
	gaps    map[string]bool             // rooms with a gap request scheduled
	newest  map[provenKey]uint64        // the newest epoch each peer proved of each room
	// waiting holds, for each peer whose catch-up waits for its turn, the
	// channel closed to let it run at once (Request does).
	waiting map[peer.ID]chan struct{}
	// turns has a token for each catch-up running (catchUpsAtOnce).
	turns chan struct{}
	// asked counts the sync requests answered, and idle those answered
	// with nothing (Counts).
	asked, idle atomic.Uint64
	// ended, when set, is told each time a sync with a peer ends (for
	// tests that wait for the syncs they started to settle).
	ended chan<- struct{}
}

type provenKey struct {
	peer peer.ID
	room string
}

// provedNewest records that a peer proved epoch of room; true the first
// time it proves it.
func (y *Syncer) provedNewest(p peer.ID, room string, epoch uint64) bool {
	y.mu.Lock()
	defer y.mu.Unlock()
	k := provenKey{p, room}
	if got, ok := y.newest[k]; ok && got >= epoch {
		return false
	}
	if len(y.newest) >= maxProvenKept {
		clear(y.newest)
	}
	y.newest[k] = epoch
	return true
}

var _ p2p.SyncServer = (*Syncer)(nil)

func newSyncer(joined *Registry, store syncStore, net syncNet, spawn Spawner, c *committer, blocks Blocks, log *slog.Logger) *Syncer {
	return &Syncer{joined: joined, store: store, net: net, spawn: spawn, commit: c, blocks: blocks, log: log,
		running: map[peer.ID]bool{}, again: map[peer.ID]map[string]bool{}, gaps: map[string]bool{},
		newest: map[provenKey]uint64{}, waiting: map[peer.ID]chan struct{}{}, turns: make(chan struct{}, catchUpsAtOnce)}
}

// Counts returns how many sync requests this node made were answered
// since it started, and how many of those answers were empty (no
// envelope, no receipt): what catching up costs an office beyond what it
// fetches.
func (y *Syncer) Counts() (asked, idle uint64) { return y.asked.Load(), y.idle.Load() }

// Request syncs rooms (nil: all joined) with a peer, now or after its
// running sync; a catch-up of the same peer waiting for its turn (see
// catchUp) runs now with it.
func (y *Syncer) Request(id peer.ID, rooms []string) { y.start(id, rooms, false) }

// catchUp syncs rooms (nil: all joined) with a peer once it is its turn:
// at most catchUpsAtOnce catch-ups run at once (see catchUpsAtOnce).
func (y *Syncer) catchUp(id peer.ID, rooms []string) { y.start(id, rooms, true) }

func (y *Syncer) start(id peer.ID, rooms []string, queued bool) {
	if rooms == nil {
		for _, j := range y.joined.All() {
			rooms = append(rooms, j.id)
		}
	}
	y.mu.Lock()
	defer y.mu.Unlock()
	if y.running[id] {
		if y.again[id] == nil {
			y.again[id] = map[string]bool{}
		}
		for _, r := range rooms {
			y.again[id][r] = true
		}
		if !queued {
			y.hurry(id)
		}
		return
	}
	y.running[id] = true
	var turn chan struct{}
	if queued {
		turn = make(chan struct{})
		y.waiting[id] = turn
	}
	y.spawn.Go(func(ctx context.Context) { y.loop(ctx, id, rooms, turn) })
}

func (y *Syncer) loop(ctx context.Context, id peer.ID, rooms []string, turn <-chan struct{}) {
	if turn != nil {
		release := y.awaitTurn(ctx, id, turn)
		defer release()
		rooms = y.askedMeanwhile(id, rooms)
	}
	for {
		if ctx.Err() == nil {
			if err := y.pull(ctx, id, rooms); err != nil && ctx.Err() == nil {
				y.log.Debug("room sync", "peer", id, "err", err)
			}
		}
		y.mu.Lock()
		next := y.again[id]
		delete(y.again, id)
		if len(next) == 0 || ctx.Err() != nil {
			delete(y.running, id)
			ended := y.ended
			y.mu.Unlock()
			if ended != nil {
				select {
				case ended <- struct{}{}:
				default:
				}
			}
			return
		}
		y.mu.Unlock()
		rooms = rooms[:0]
		for r := range next {
			rooms = append(rooms, r)
		}
	}
}

// gap schedules one request for a room's hole to the peer that showed it.
func (y *Syncer) gap(room string, from peer.ID) {
	y.mu.Lock()
	if y.gaps[room] {
		y.mu.Unlock()
		return
	}
	y.gaps[room] = true
	y.mu.Unlock()
	y.spawn.Go(func(ctx context.Context) {
		select {
		case <-time.After(gapDelay):
		case <-ctx.Done():
		}
		y.mu.Lock()
		delete(y.gaps, room)
		y.mu.Unlock()
		y.Request(from, []string{room})
	})
}

// withAll asks every connected peer about one room (just joined).
func (y *Syncer) withAll(room string) {
	for _, id := range y.net.ConnectedPeers() {
		y.catchUp(id, []string{room})
	}
}

// Run compares every room with one online member periodically, until
// ctx ends, taking the room's partners (see partners) in turn.
func (y *Syncer) Run(ctx context.Context) error {
	t := time.NewTicker(syncEvery)
	defer t.Stop()
	order := turns{next: map[string]int{}}
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
		byPeer := map[peer.ID][]string{}
		connected := y.net.ConnectedPeers()
		seen := map[string]bool{}
		for _, j := range y.joined.All() {
			if j.liveOnly {
				continue
			}
			seen[j.id] = true
			if ps := partners(j, connected); len(ps) > 0 {
				p := order.take(j.id, ps)
				byPeer[p] = append(byPeer[p], j.id)
			}
		}
		order.keep(seen)
		for p, rooms := range byPeer {
			y.Request(p, rooms)
		}
	}
}
