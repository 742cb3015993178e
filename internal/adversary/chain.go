package adversary

import (
	"fmt"
	"sync"
	"time"

	hcrypto "hallway/crypto"
	"hallway/p2p"

	"github.com/libp2p/go-libp2p/core/peer"
)

// PostChained is the adversary's post seq in room whose sealed body names
// prev (an envelope's encoding; nil: none, as a first post) as the post
// before it: what an honest author's chain would name, or, for an
// equivocator, a version only some members hold.
func (p *Peer) PostChained(key hcrypto.RoomKey, room string, seq uint64, at time.Time, text string, prev []byte) (*hcrypto.Envelope, error) {
	body := hcrypto.RoomBody{Kind: hcrypto.BodyText, Name: "Mallory", SentAt: at.UnixMilli(), Text: text, Chained: true}
	if prev != nil {
		body.Prev = hcrypto.ChainHash(prev)
	}
	return hcrypto.SealEnvelope(key, 0, p.Key, room, []byte(p.ID()), seq, uint64(at.UnixMilli())<<16+seq, body.Marshal())
}

// SplitSync forks the adversary's history by sync instead of gossip: it
// signs one version of its first post in room per text, and answers each
// member's sync request with the version of that member (version[id];
// members not listed get version 0), so that no gossip ever carries two
// versions to one member and members syncing with each other, holding
// seq 1 each, exchange nothing. It returns the versions and a counter of
// the answers sent.
func (p *Peer) SplitSync(key hcrypto.RoomKey, room string, texts []string, version map[peer.ID]int) ([][]byte, *SplitServed, error) {
	at := time.Now()
	var raws [][]byte
	for _, text := range texts {
		env, err := p.PostChained(key, room, 1, at, text, nil)
		if err != nil {
			return nil, nil, fmt.Errorf("adversary: split sync: %w", err)
		}
		raws = append(raws, env.Marshal())
	}
	served := &SplitServed{got: map[peer.ID]int{}}
	p.ServeSync(func(from peer.ID, req p2p.SyncRequest) [][]byte {
		for _, r := range req.Rooms {
			if r.ID == room && r.Have[p.ID().String()] == 0 {
				v := version[from]
				served.mark(from, v)
				return [][]byte{Frame(raws[v])}
			}
		}
		return nil
	})
	return raws, served, nil
}

// SplitServed is which version each member was answered with.
type SplitServed struct {
	mu  sync.Mutex
	got map[peer.ID]int
}

func (s *SplitServed) mark(id peer.ID, v int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.got[id] = v
}

// Got reports whether id was answered, and with which version.
func (s *SplitServed) Got(id peer.ID) (int, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.got[id]
	return v, ok
}
