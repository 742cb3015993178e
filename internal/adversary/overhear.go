package adversary

import (
	"hallway/p2p"

	"context"
	"fmt"
	"slices"
	"strings"
	"sync"

	pubsub "github.com/libp2p/go-libp2p-pubsub"
)

// overheard records the room topic names peers announce subscriptions
// to: what any connected peer learns without holding a key.
type overheard struct {
	mu    sync.Mutex
	names map[string]bool
	more  chan struct{} // closed, and replaced, when a name is added
}

// WaitOverheard waits until the names overheard include one that want
// accepts, and returns them all.
func (p *Peer) WaitOverheard(ctx context.Context, want func(name string) bool) ([]string, error) {
	for {
		p.heard.mu.Lock()
		if p.heard.more == nil {
			p.heard.more = make(chan struct{})
		}
		more := p.heard.more
		p.heard.mu.Unlock()
		names := p.Overheard()
		if slices.ContainsFunc(names, want) {
			return names, nil
		}
		select {
		case <-more:
		case <-ctx.Done():
			return names, fmt.Errorf("adversary: overheard %d topic names, not the one wanted: %w", len(names), ctx.Err())
		}
	}
}

// Overheard lists the room topic names victims announced they subscribe
// to, in sorted order.
func (p *Peer) Overheard() []string {
	p.heard.mu.Lock()
	defer p.heard.mu.Unlock()
	var out []string
	for n := range p.heard.names {
		out = append(out, n)
	}
	slices.Sort(out)
	return out
}

// heardTracer takes the topic names from every subscription announcement
// the gossip router receives.
type heardTracer struct {
	p2p.NopTracer
	h *overheard
}

var _ pubsub.RawTracer = heardTracer{}

func (t heardTracer) RecvRPC(rpc *pubsub.RPC) {
	t.h.mu.Lock()
	defer t.h.mu.Unlock()
	for _, s := range rpc.GetSubscriptions() {
		if name := s.GetTopicid(); s.GetSubscribe() && strings.HasPrefix(name, "/hallway/room/") {
			if t.h.names == nil {
				t.h.names = map[string]bool{}
			}
			if !t.h.names[name] && t.h.more != nil {
				close(t.h.more)
				t.h.more = nil
			}
			t.h.names[name] = true
		}
	}
}
