package rooms

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	hcrypto "hallway/crypto"
	"hallway/p2p"

	"github.com/libp2p/go-libp2p/core/peer"
)

// watchedServer is a peer's sync server that records each answer, in the
// order they began: whether its request asked for receipts, how many it
// carried, and whether it began while held was set. Answers wait for
// release.
type watchedServer struct {
	p2p.SyncServer
	held    *atomic.Bool
	begun   chan struct{} // told as each answer begins, if not full
	release chan struct{}

	mu      sync.Mutex
	answers []*answered
}

type answered struct {
	asked, held bool
	receipts    int
}

func watch(srv p2p.SyncServer, held *atomic.Bool) *watchedServer {
	return &watchedServer{SyncServer: srv, held: held, begun: make(chan struct{}, 1), release: make(chan struct{})}
}

func (w *watchedServer) ServeSync(ctx context.Context, from peer.ID, challenge []byte, req p2p.SyncRequest, send func([]byte) error) error {
	a := &answered{asked: req.Receipts, held: w.held.Load()}
	w.mu.Lock()
	w.answers = append(w.answers, a)
	w.mu.Unlock()
	select {
	case w.begun <- struct{}{}:
	default:
	}
	<-w.release
	return w.SyncServer.ServeSync(ctx, from, challenge, req, func(raw []byte) error {
		if hcrypto.IsReceipt(raw) {
			w.mu.Lock()
			a.receipts++
			w.mu.Unlock()
		}
		return send(raw)
	})
}

// all is the answers so far, in the order they began; one still under
// way counts the receipts it has sent.
func (w *watchedServer) all() []answered {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := make([]answered, len(w.answers))
	for i, a := range w.answers {
		out[i] = *a
	}
	return out
}

// Cat connects to Ann and Bob at once, who hold the same receipts: the
// sync with Ann asks for them, none with Bob running meanwhile does (it
// would bring them all again), and a later sync with Bob asks, naming
// what Ann's answer brought as held.
func TestOneSyncAtATimeAsksForReceipts(t *testing.T) {
	ctx := context.Background()
	room, ann, bob, cat := threeInRoom(t)
	nodes := []*testNode{ann, bob, cat}
	gossipReceipt(t, room, ann, bob)
	gossipReceipt(t, room, bob, ann)
	settled(t, nodes...)

	var annHeld atomic.Bool
	annHeld.Store(true)
	fromAnn, fromBob := watch(ann.Syncer(), &annHeld), watch(bob.Syncer(), &annHeld)
	close(fromBob.release)
	connect(cat, ann)
	connect(cat, bob)
	cat.net.mu.Lock()
	cat.net.servers[ann.id], cat.net.servers[bob.id] = fromAnn, fromBob
	cat.net.mu.Unlock()
	cat.receipts.connected(ann.id)
	cat.receipts.connected(bob.id)

	annDone := make(chan error, 1)
	go func() { annDone <- cat.Syncer().pull(ctx, ann.id, []string{room}) }()
	<-fromAnn.begun
	if err := cat.Syncer().pull(ctx, bob.id, []string{room}); err != nil {
		t.Fatal(err)
	}
	annHeld.Store(false)
	close(fromAnn.release)
	if err := <-annDone; err != nil {
		t.Fatal(err)
	}
	settled(t, nodes...)
	if err := cat.Syncer().pull(ctx, bob.id, []string{room}); err != nil {
		t.Fatal(err)
	}
	settled(t, nodes...)

	if a := fromAnn.all(); len(a) == 0 || !a[0].asked || a[0].receipts != 2 {
		t.Fatalf("Ann's answers %+v: the first should ask for receipts and bring hers and Bob's", a)
	}
	askedLater := false
	for _, a := range fromBob.all() {
		switch {
		case a.held && a.asked:
			t.Fatal("a sync with Bob asked for receipts while the one with Ann did")
		case a.receipts != 0:
			t.Fatalf("Bob's answer carried %d receipts Cat held already", a.receipts)
		}
		askedLater = askedLater || a.asked
	}
	if !askedLater {
		t.Fatalf("Bob, passed over, was never asked for receipts (answers %+v)", fromBob.all())
	}
}

// A sync that asks for receipts holds the others back for
// receiptsAskHold at most: a peer answering slowly, or on purpose to,
// does not keep every other from being asked.
func TestASlowSyncHoldsReceiptAsksBackForAWhile(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := &receipts{asked: map[peer.ID]time.Time{}}
		mal, bob, cat := peer.ID("mal"), peer.ID("bob"), peer.ID("cat")
		if !r.askFor(mal) || r.askFor(bob) {
			t.Fatal("a second sync asked for receipts while the first did")
		}
		time.Sleep(receiptsAskHold)
		if !r.askFor(bob) {
			t.Fatal("a sync asking for receipts held the others back past receiptsAskHold")
		}
		r.askDone(mal) // Mal's answer ends at last: Bob's still asks
		if r.askFor(cat) {
			t.Fatal("the end of an older sync let a third ask beside Bob's")
		}
		r.askDone(bob)
		if !r.askFor(cat) {
			t.Fatal("Cat was not asked once Bob's sync ended")
		}
	})
}
