package rooms

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"hallway/p2p"

	"github.com/libp2p/go-libp2p/core/peer"
)

// gatedServers hold every answer of the sync servers they wrap until
// release closes, recording whose began and how many ran at once.
type gatedServers struct {
	release chan struct{}

	mu      sync.Mutex
	begun   []peer.ID
	asked   map[peer.ID][][]string // the rooms of each request begun, by server
	running int
	most    int
}

type gatedServer struct {
	p2p.SyncServer
	id peer.ID
	g  *gatedServers
}

func (g *gatedServers) wrap(id peer.ID, srv p2p.SyncServer) *gatedServer {
	return &gatedServer{SyncServer: srv, id: id, g: g}
}

func (s *gatedServer) ServeSync(ctx context.Context, from peer.ID, challenge []byte, req p2p.SyncRequest, send func([]byte) error) error {
	g := s.g
	g.mu.Lock()
	g.begun = append(g.begun, s.id)
	var rooms []string
	for _, r := range req.Rooms {
		rooms = append(rooms, r.ID)
	}
	if g.asked == nil {
		g.asked = map[peer.ID][][]string{}
	}
	g.asked[s.id] = append(g.asked[s.id], rooms)
	g.running++
	g.most = max(g.most, g.running)
	g.mu.Unlock()
	defer func() {
		g.mu.Lock()
		g.running--
		g.mu.Unlock()
	}()
	select {
	case <-g.release:
	case <-ctx.Done():
		return ctx.Err()
	}
	return s.SyncServer.ServeSync(ctx, from, challenge, req, send)
}

// colleagues connects n new nodes to n0, whose sync requests to them g
// holds.
func (g *gatedServers) colleagues(t *testing.T, n0 *testNode, n int) []*testNode {
	var peers []*testNode
	for i := range n {
		p := newTestNode(t, fmt.Sprintf("P%d", i))
		connect(n0, p)
		n0.net.mu.Lock()
		n0.net.servers[p.id] = g.wrap(p.id, p.Syncer())
		n0.net.mu.Unlock()
		peers = append(peers, p)
	}
	return peers
}

func (g *gatedServers) began() []peer.ID {
	g.mu.Lock()
	defer g.mu.Unlock()
	return slices.Clone(g.begun)
}

// Cat meets three times catchUpsAtOnce colleagues at once: catch-ups run
// catchUpsAtOnce at a time, each later one once an earlier one ends, and
// a gap with a colleague whose catch-up waits is asked at once.
func TestCatchUpsRunAFewAtATime(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		cat := newTestNode(t, "Cat")
		room := project(t, cat)
		g := &gatedServers{release: make(chan struct{})}
		peers := g.colleagues(t, cat, 3*catchUpsAtOnce)
		for _, p := range peers {
			cat.PeerConnected(p.id)
		}
		synctest.Wait()
		began := g.began()
		if len(began) != catchUpsAtOnce {
			t.Fatalf("%d catch-ups began at once of %d colleagues met, want %d", len(began), len(peers), catchUpsAtOnce)
		}

		var waiting peer.ID
		for _, p := range peers {
			if !slices.Contains(began, p.id) {
				waiting = p.id
				break
			}
		}
		cat.Syncer().gap(room, waiting)
		time.Sleep(gapDelay) // the bubble's clock: the gap's delay passes
		synctest.Wait()
		if began = g.began(); len(began) != catchUpsAtOnce+1 || began[catchUpsAtOnce] != waiting {
			t.Fatalf("a gap with a colleague whose catch-up waited did not run at once: began %v", began)
		}

		close(g.release)
		synctest.Wait()
		began = g.began()
		for _, p := range peers {
			if !slices.Contains(began, p.id) {
				t.Fatalf("no catch-up ran with %s (began %v)", p.id, began)
			}
		}
		g.mu.Lock()
		defer g.mu.Unlock()
		if g.most > catchUpsAtOnce+1 {
			t.Fatalf("%d syncs ran at once, want at most %d catch-ups and the gap", g.most, catchUpsAtOnce)
		}
	})
}

// A catch-up waiting for its turn takes the rooms asked of the same
// colleague meanwhile (a mesh entry, here) into its pull: one request
// with them once its turn comes, not a second pull after it.
func TestCatchUpTakesWhatWasAskedWhileItWaited(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		cat := newTestNode(t, "Cat")
		g := &gatedServers{release: make(chan struct{})}
		peers := g.colleagues(t, cat, catchUpsAtOnce+1)
		first := project(t, cat)
		for _, p := range peers {
			cat.PeerConnected(p.id)
		}
		synctest.Wait()
		began := g.began()
		if len(began) != catchUpsAtOnce {
			t.Fatalf("began %v: want %d catch-ups", began, catchUpsAtOnce)
		}
		var last *testNode // the colleague whose catch-up waits
		for _, p := range peers {
			if !slices.Contains(began, p.id) {
				last = p
			}
		}
		// A room made after the catch-up was asked for, whose mesh the
		// colleague enters while the catch-up waits.
		r, err := cat.Create(context.Background(), "#later")
		if err != nil {
			t.Fatal(err)
		}
		room := r.ID
		cat.PeerMeshed(last.id, room)
		close(g.release)
		synctest.Wait()
		g.mu.Lock()
		defer g.mu.Unlock()
		reqs := g.asked[last.id]
		if len(reqs) != 1 {
			t.Fatalf("%d requests to the colleague whose catch-up waited (%v), want 1", len(reqs), reqs)
		}
		if !slices.Contains(reqs[0], first) || !slices.Contains(reqs[0], room) {
			t.Errorf("its request asked for %v, want %s and %s", reqs[0], first, room)
		}
	})
}
