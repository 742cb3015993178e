package p2p

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"
	"golang.org/x/time/rate"
)

// Per-peer paces: how often one colleague may make us do each kind of
// work. A request beyond its pace waits for its turn, as long as the
// stream's deadline allows, so a flood is slowed down to the pace while an
// honest burst (a long outbox after an absence, a catch-up) passes at once.
// The libp2p resource manager caps concurrent streams on top (limits.go).
var (
	// dmPace: direct messages stored per second, each a durable commit.
	dmPace = PaceConfig{PerSecond: 100, Burst: 1000}
	// dmBytesPace: bytes of direct messages stored per second. Each one
	// stays on disk for good, so a colleague pays for what it makes us
	// keep, not only for how often: a stream of maximal messages (a few
	// hundred KiB each) slows to about one a second, while typed text
	// never feels it. The burst covers a long outbox after an absence.
	dmBytesPace = PaceConfig{PerSecond: 512 << 10, Burst: 16 << 20}
	// profilePace: profile pushes, each a database write and up to 64
	// introductions to dial.
	profilePace = PaceConfig{PerSecond: 2, Burst: 10}
	// syncPace: sync requests, each reading up to 2,000 envelopes per room.
	syncPace = PaceConfig{PerSecond: 10, Burst: 30}
	// redeemPace: room code redemptions, each a database read and write.
	redeemPace = PaceConfig{PerSecond: 10, Burst: 30}
)

// maxPacedPeers bounds the buckets kept; idle ones (full again) are the
// first to go, so a stream of fresh identities cannot grow the map.
const maxPacedPeers = 1024

// PaceConfig is a rate and the burst allowed at once.
type PaceConfig struct {
	PerSecond float64
	Burst     int
}

// Pace is a token bucket per peer.
type Pace struct {
	cfg   PaceConfig
	mu    sync.Mutex // guards peers
	peers map[peer.ID]*rate.Limiter
}

// NewPace makes a token bucket per peer with the given rate and burst.
func NewPace(cfg PaceConfig) *Pace {
	return &Pace{cfg: cfg, peers: map[peer.ID]*rate.Limiter{}}
}

// Wait returns once id may go on, or an error if ctx would end first.
func (p *Pace) Wait(ctx context.Context, id peer.ID) error {
	return p.limiter(id).Wait(ctx)
}

// WaitN is Wait for n units at once (n up to the burst).
func (p *Pace) WaitN(ctx context.Context, id peer.ID, n int) error {
	return p.limiter(id).WaitN(ctx, n)
}

func (p *Pace) limiter(id peer.ID) *rate.Limiter {
	p.mu.Lock()
	defer p.mu.Unlock()
	if l := p.peers[id]; l != nil {
		return l
	}
	if len(p.peers) >= maxPacedPeers {
		for k, l := range p.peers {
			if l.Tokens() >= float64(p.cfg.Burst) {
				delete(p.peers, k)
			}
		}
		if len(p.peers) >= maxPacedPeers {
			// All busy: a flood of identities. Start over rather than grow.
			clear(p.peers)
		}
	}
	l := rate.NewLimiter(rate.Limit(p.cfg.PerSecond), p.cfg.Burst)
	p.peers[id] = l
	return l
}

// waitPace waits for from's turn at most limit; past it the request is
// refused and its stream reset, and an honest sender retries later.
func (n *Node) waitPace(p *Pace, from peer.ID, limit time.Duration) error {
	return n.waitPaceN(p, from, 1, limit)
}

// waitPaceN is waitPace for a request costing cost units.
func (n *Node) waitPaceN(p *Pace, from peer.ID, cost int, limit time.Duration) error {
	ctx, cancel := context.WithTimeout(n.ctx, limit)
	defer cancel()
	if err := p.WaitN(ctx, from, cost); err != nil {
		n.log.Debug("request beyond its pace refused", "peer", from, "err", err)
		return fmt.Errorf("p2p: %s sends faster than its pace: %w", from.ShortString(), err)
	}
	return nil
}
