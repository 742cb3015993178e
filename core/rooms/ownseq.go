package rooms

import (
	"context"
	"sync"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"
)

// ownCatchUpWait bounds how long our first post in a room waits for the
// members online to send back what they hold of our own key.
const ownCatchUpWait = 5 * time.Second

// catchUpOwn syncs one room with the members online (when gossip has found
// none yet, with every connected peer) before our first post in it since
// the node started, and waits for the answers, at most ownCatchUpWait. A
// data folder restored from an older backup, or copied to a second
// machine, lacks the messages we posted after it was taken; the members
// hold them and send them back, so the next seq (one past the highest
// stored of our key) never reuses one. It reports whether any peer
// answered: when none did, the post goes ahead and the next one asks again.
func (y *Syncer) catchUpOwn(ctx context.Context, j *Joined) bool {
	if j.liveOnly {
		return true // no history: nothing to number against
	}
	peers := j.Peers()
	if len(peers) == 0 {
		peers = y.net.ConnectedPeers()
	}
	if len(peers) == 0 {
		return false
	}
	ctx, cancel := context.WithTimeout(ctx, ownCatchUpWait)
	defer cancel()
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		answered bool
	)
	for _, id := range peers {
		wg.Add(1)
		go func(id peer.ID) {
			defer wg.Done()
			if err := y.pull(ctx, id, []string{j.id}); err != nil {
				y.log.Debug("room catch-up before posting", "room", j.id, "peer", id, "err", err)
				return
			}
			mu.Lock()
			answered = true
			mu.Unlock()
		}(id)
	}
	wg.Wait()
	return answered
}
