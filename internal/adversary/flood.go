package adversary

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"hallway/chat"
	"hallway/p2p"

	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/core/protocol"
)

// FloodCount tallies what a flood managed and what the victim refused.
type FloodCount struct {
	OK, Refused atomic.Int64
}

func (c *FloodCount) String() string {
	return fmt.Sprintf("%d accepted, %d refused", c.OK.Load(), c.Refused.Load())
}

// HoldStreams opens streams of proto to a victim, workers at a time, and
// keeps each open without a full frame until ctx ends, as a slowloris
// would. Streams the victim held for a second count as accepted, those it
// reset at once as refused.
// It keeps trying until ctx ends, so streams the victim resets are
// replaced.
func (p *Peer) HoldStreams(ctx context.Context, to peer.ID, proto string, workers int, c *FloodCount) *sync.WaitGroup {
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for ctx.Err() == nil {
				s, err := p.Host.NewStream(ctx, to, protocol.ID(proto))
				if err != nil {
					c.Refused.Add(1)
					pause(ctx, 50*time.Millisecond)
					continue
				}
				// Only a write makes the victim open its side.
				if _, err := s.Write([]byte{0x80}); err != nil {
					c.Refused.Add(1)
					s.Reset()
					continue
				}
				done := make(chan struct{})
				go func() {
					buf := make([]byte, 1)
					s.Read(buf) // returns when the victim resets or times out
					close(done)
				}()
				// A stream the victim refuses is reset at once; one it
				// serves stays until its read deadline.
				select {
				case <-ctx.Done():
					c.OK.Add(1)
				case <-done:
					c.Refused.Add(1)
				case <-time.After(time.Second):
					c.OK.Add(1)
					select {
					case <-ctx.Done():
					case <-done:
					}
				}
				s.Reset()
			}
		})
	}
	return &wg
}

func pause(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}

// Requests sends one well-formed request of proto after another, workers
// at a time, until ctx ends: what a colleague's Hallway could send, but
// without pause. make builds each request's payload.
func (p *Peer) Requests(ctx context.Context, to peer.ID, proto string, workers int, c *FloodCount, make func(i int) []byte) *sync.WaitGroup {
	var wg sync.WaitGroup
	var n atomic.Int64
	for range workers {
		wg.Go(func() {
			for ctx.Err() == nil {
				out := p.Send(ctx, to, proto, make(int(n.Add(1))), 10*time.Second)
				if out.Err != nil || out.Reset {
					c.Refused.Add(1)
					if out.Err != nil {
						pause(ctx, 20*time.Millisecond)
					}
					continue
				}
				c.OK.Add(1)
			}
		})
	}
	return &wg
}

// DMBatch is 256 valid direct messages in one stream's worth of frames.
func DMBatch(i int) []byte {
	var out []byte
	for k := range 256 {
		b, _ := json.Marshal(p2p.DM{ID: fmt.Sprintf("flood-%d-%d", i, k), Text: "flood", SentAt: time.Now().UnixMilli()})
		out = append(out, Frame(b)...)
	}
	return out
}

// ProfileWithHints is a valid profile that names 64 made-up colleagues at
// 8 addresses each, every one a dial the victim may attempt.
func ProfileWithHints(subnet string) func(int) []byte {
	return func(i int) []byte {
		p := p2p.Profile{Name: "Mallory", Status: chat.StatusAvailable, Version: time.Now().UnixNano()}
		for k := range 64 {
			id := randomPeer()
			var addrs []string
			for a := range 8 {
				addrs = append(addrs, fmt.Sprintf("/ip4/%s.%d/tcp/%d", subnet, 100+(i+k+a)%100, 4000+a))
			}
			p.Known = append(p.Known, p2p.KnownPeer{ID: id.String(), Addrs: addrs})
		}
		b, _ := json.Marshal(p)
		return Frame(b)
	}
}

// SyncFor is a sync request for a room with a proof made from key and
// the two peers, asking for everything (an empty version vector). It is
// sent without waiting for the responder's challenge, so the proof binds
// none: the responder serves it nothing, and a flood of them costs it
// only the reading.
func SyncFor(proof func(to peer.ID) []byte, room string, to peer.ID) func(int) []byte {
	return func(int) []byte {
		b, _ := json.Marshal(p2p.SyncRequest{Rooms: []p2p.SyncRoom{{ID: room,
			Epochs: []p2p.SyncEpoch{{Epoch: 0, Proof: proof(to)}}, Have: map[string]uint64{}}}})
		return Frame(b)
	}
}

// FileAsk is a file request for content that does not exist.
func FileAsk(int) []byte {
	h := make([]byte, 32)
	rand.Read(h)
	b, _ := json.Marshal(p2p.FileRequest{Hash: hex.EncodeToString(h), Op: p2p.FileOpManifest})
	return Frame(b)
}

// Identities connects n fresh identities (bare hosts that only dial) to
// addr, workers at a time, again and again until ctx ends, dropping each
// connection after hold.
func Identities(ctx context.Context, ns Namespace, psk []byte, addr string, workers int, hold time.Duration, c *FloodCount) *sync.WaitGroup {
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for ctx.Err() == nil {
				p, err := New(Config{NS: ns, PSK: psk, NoListen: true})
				if err != nil {
					c.Refused.Add(1)
					continue
				}
				cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
				_, err = p.Connect(cctx, addr)
				cancel()
				if err != nil {
					c.Refused.Add(1)
				} else {
					c.OK.Add(1)
					pause(ctx, hold)
				}
				p.Close()
			}
		})
	}
	return &wg
}

// HoldTCP opens up to n raw TCP connections to addr from inside ns that
// never speak, and keeps them until ctx ends (or the victim drops them).
func HoldTCP(ctx context.Context, ns Namespace, addr string, n int, c *FloodCount) *sync.WaitGroup {
	var wg sync.WaitGroup
	var mu sync.Mutex
	var conns []net.Conn
	wg.Go(func() {
		for i := 0; i < n && ctx.Err() == nil; i++ {
			var conn net.Conn
			err := ns.Do(func() (err error) {
				conn, err = net.DialTimeout("tcp", addr, 2*time.Second)
				return err
			})
			if err != nil {
				c.Refused.Add(1)
				continue
			}
			c.OK.Add(1)
			mu.Lock()
			conns = append(conns, conn)
			mu.Unlock()
		}
		<-ctx.Done()
		mu.Lock()
		for _, conn := range conns {
			conn.Close()
		}
		mu.Unlock()
	})
	return &wg
}
