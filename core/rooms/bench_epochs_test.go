package rooms

import (
	"context"
	"fmt"
	"os"
	"sync"
	"testing"

	"hallway/p2p"

	"github.com/libp2p/go-libp2p/core/peer"
)

// TestBenchSyncBytesAfterRekeys measures what a member returning after
// 3 re-keys fetches by sync (envelope bytes served), next to one that
// missed the same 300 posts but no re-key (make bench).
func TestBenchSyncBytesAfterRekeys(t *testing.T) {
	if os.Getenv("HALLWAY_BENCH") == "" {
		t.Skip("benchmark: set HALLWAY_BENCH=1 (make bench)")
	}
	measure := func(rekeys int) (int, int) {
		ctx := context.Background()
		ann, bob, dan := newTestNode(t, "Ann"), newTestNode(t, "Bob"), newTestNode(t, "Dan")
		room := project(t, ann, bob, dan)
		meshed(t, room, ann, bob, dan)
		// Dan goes away.
		for _, n := range []*testNode{ann, bob} {
			n.net.mu.Lock()
			delete(n.net.servers, dan.id)
			n.net.mu.Unlock()
		}
		dan.net.mu.Lock()
		clear(dan.net.servers)
		dan.net.mu.Unlock()
		var forDan []sentKey
		for i := range 300 {
			if rekeys > 0 && i%(300/rekeys) == 0 {
				if err := ann.Rekey(ctx, room, nil); err != nil {
					t.Fatal(err)
				}
				for _, k := range ann.sentKeys() {
					if k.to == dan.id {
						forDan = append(forDan, k)
					} else {
						bob.RoomKeyReceived(ctx, ann.id, &k.k)
					}
				}
			}
			if _, err := ann.Send(ctx, "#project", fmt.Sprintf("post %03d", i)); err != nil {
				t.Fatal(err)
			}
		}
		// Dan is back, connected to Ann: its outbox brings the keys,
		// then it syncs.
		var mu sync.Mutex
		bytes, n := 0, 0
		srv := ann.Syncer()
		dan.net.mu.Lock()
		dan.net.servers[ann.id] = p2pServerFunc(func(ctx context.Context, from peer.ID, ch []byte, req p2p.SyncRequest, send func([]byte) error) error {
			return srv.ServeSync(ctx, from, ch, req, func(raw []byte) error {
				mu.Lock()
				bytes += len(raw)
				n++
				mu.Unlock()
				return send(raw)
			})
		})
		dan.net.mu.Unlock()
		for _, k := range forDan {
			dan.RoomKeyReceived(ctx, ann.id, &k.k)
		}
		dan.Syncer().Request(ann.id, []string{room})
		dan.waitFor("every post", func() bool { return dan.holdsText(room, "post 299") && dan.store.count(room) >= 303 })
		mu.Lock()
		defer mu.Unlock()
		return bytes, n
	}
	b0, n0 := measure(0)
	b3, n3 := measure(3)
	fmt.Printf("BENCH sync after 300 missed posts: no re-key %d envelopes %d bytes; 3 re-keys %d envelopes %d bytes (%+.1f%%)\n",
		n0, b0, n3, b3, 100*float64(b3-b0)/float64(b0))
}
