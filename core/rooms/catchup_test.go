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
		var peers []*testNode
		for i := range 3 * catchUpsAtOnce {
			p := newTestNode(t, fmt.Sprintf("P%d", i))
			connect(cat, p)
			cat.net.mu.Lock()
			cat.net.servers[p.id] = g.wrap(p.id, p.Syncer())
			cat.net.mu.Unlock()
			peers = append(peers, p)
		}
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
