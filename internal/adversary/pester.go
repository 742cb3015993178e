package adversary

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	hcrypto "hallway/crypto"
	"hallway/p2p"

	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	swarm "github.com/libp2p/go-libp2p/p2p/net/swarm"
	ma "github.com/multiformats/go-multiaddr"
)

// PesterCount tallies what a blocked peer tried, and what got through.
type PesterCount struct {
	Dials, Connected    atomic.Int64 // dials to the victim, and those that left a connection up
	DMs, DMsAcked       atomic.Int64 // direct messages tried and acknowledged
	Offers, OffersAcked atomic.Int64 // file offers tried and acknowledged
	Posts               atomic.Int64 // room posts published to the members it reaches
	lastErr             atomic.Value // the last dial error, as a string

	mu      sync.Mutex // guards texts, postIDs and seq
	texts   []string   // every text it sent, to search the victim for
	postIDs []string   // ids of its room posts
	seq     uint64     // its next room sequence number
}

// LastDialError is why the last dial to the victim failed ("" if none did).
func (c *PesterCount) LastDialError() string {
	s, _ := c.lastErr.Load().(string)
	return s
}

func (c *PesterCount) String() string {
	return fmt.Sprintf("%d dials (%d left connected), %d direct messages (%d acknowledged), %d file offers (%d acknowledged), %d room posts",
		c.Dials.Load(), c.Connected.Load(), c.DMs.Load(), c.DMsAcked.Load(), c.Offers.Load(), c.OffersAcked.Load(), c.Posts.Load())
}

// Texts are the texts of everything it sent.
func (c *PesterCount) Texts() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.texts...)
}

// PostIDs are the message ids of its room posts.
func (c *PesterCount) PostIDs() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.postIDs...)
}

// posted records a room post sent.
func (c *PesterCount) posted(id string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.postIDs = append(c.postIDs, id)
}

func (c *PesterCount) note(text string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.texts = append(c.texts, text)
}

// Pester is a colleague the victim blocked who keeps at it: every interval
// until ctx ends it dials the victim at victimAddr, sends it a direct
// message and a file offer (each stream dials again), and posts in room
// (sealed with key, from seq firstSeq on) to every member still connected
// to it, who would relay the posts to the victim.
func (p *Peer) Pester(ctx context.Context, victimAddr string, key hcrypto.RoomKey, room string, firstSeq uint64, every time.Duration) (*PesterCount, *sync.WaitGroup) {
	c := &PesterCount{seq: firstSeq}
	var wg sync.WaitGroup
	a, err := ma.NewMultiaddr(victimAddr)
	var victim *peer.AddrInfo
	if err == nil {
		victim, err = peer.AddrInfoFromP2pAddr(a)
	}
	if err != nil {
		c.lastErr.Store(err.Error())
		return c, &wg
	}
	wg.Go(func() {
		tick := time.NewTicker(every)
		defer tick.Stop()
		for i := 0; ; i++ {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
			p.pesterOnce(ctx, c, *victim, key, room, i)
		}
	})
	return c, &wg
}

func (p *Peer) pesterOnce(ctx context.Context, c *PesterCount, victim peer.AddrInfo, key hcrypto.RoomKey, room string, i int) {
	c.Dials.Add(1)
	dctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	if sw, ok := p.Host.Network().(*swarm.Swarm); ok {
		sw.Backoff().Clear(victim.ID) // a real dial every time, not the swarm's back-off
	}
	err := p.Host.Connect(dctx, victim)
	cancel()
	if err != nil {
		c.lastErr.Store(err.Error())
	}
	if p.Host.Network().Connectedness(victim.ID) == network.Connected {
		c.Connected.Add(1)
	}
	// Whatever the dial said, it writes: a stream dials again if needed.
	text := fmt.Sprintf("blocked dm %d", i)
	c.note(text)
	c.DMs.Add(1)
	sctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	if acks, err := p.SendDMs(sctx, victim.ID, []p2p.DM{{ID: fmt.Sprintf("pester-dm-%d", i), Text: text, SentAt: time.Now().UnixMilli()}}); err == nil && len(acks) == 1 && acks[0].OK {
		c.DMsAcked.Add(1)
	}
	c.Offers.Add(1)
	o := p2p.FileOffer{ID: fmt.Sprintf("pester-offer-%d", i), Name: fmt.Sprintf("blocked-%d.pdf", i), Size: 1000, Files: 1, Hash: fmt.Sprintf("%064x", i)}
	c.note("sent " + o.Name)
	if err := p.OfferFile(sctx, victim.ID, o); err == nil {
		c.OffersAcked.Add(1)
	}
	cancel()
	text = fmt.Sprintf("blocked post %d", i)
	c.mu.Lock()
	seq := c.seq
	c.seq++
	c.mu.Unlock()
	env, err := p.Post(key, room, seq, text)
	if err != nil {
		return
	}
	// Counted among its posts only once sent: the test's end may cut
	// the run short between sealing and publishing.
	c.note(text)
	if err := p.Publish(ctx, room, env.Marshal()); err == nil {
		c.Posts.Add(1)
		c.posted(env.ID())
	}
}

// FloodRoom publishes well-formed posts of its own in room as fast as
// gossip takes them, from seq firstSeq on, until ctx ends: a member gone
// rogue (or a script gone wrong). It returns the ids of what it sent.
func (p *Peer) FloodRoom(ctx context.Context, key hcrypto.RoomKey, room string, firstSeq uint64) []string {
	var ids []string
	for seq := firstSeq; ctx.Err() == nil; seq++ {
		env, err := p.Post(key, room, seq, fmt.Sprintf("flood %d", seq))
		if err != nil {
			return ids
		}
		if err := p.Publish(ctx, room, env.Marshal()); err != nil {
			return ids
		}
		ids = append(ids, env.ID())
	}
	return ids
}
