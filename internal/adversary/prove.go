package adversary

import (
	"io"
	"time"

	hcrypto "hallway/crypto"
	"hallway/p2p"

	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
)

// topicKey is a room epoch's key as the peer holds it, to prove the
// epoch's topic to a member that asks.
type topicKey struct {
	room  string
	epoch uint64
	key   hcrypto.RoomKey
}

// serveProve answers a member's proof request for a topic joined with its
// key, as an insider's node would: from then on that member lets the
// topic's gossip reach us. A topic joined by name alone gets a reset.
func (p *Peer) serveProve(s network.Stream) {
	s.SetDeadline(time.Now().Add(10 * time.Second))
	frames, err := ReadFrames(io.LimitReader(s, 512), 512)
	if err != nil || len(frames) != 1 {
		s.Reset()
		return
	}
	req, err := p2p.DecodeProveRequest(frames[0])
	if err != nil {
		s.Reset()
		return
	}
	name := "/hallway/room/3/" + req.Topic
	p.topics.mu.Lock()
	k, ok := p.topics.keys[name]
	p.topics.mu.Unlock()
	if !ok {
		s.Reset()
		return
	}
	proof := k.key.TopicProof(k.room, k.epoch, []byte(p.ID()), []byte(s.Conn().RemotePeer()), req.Challenge[:])
	if _, err := s.Write(Frame(proof[:])); err != nil {
		s.Reset()
		return
	}
	s.Close()
	p.topics.mu.Lock()
	if p.topics.provedTo[name] == nil {
		p.topics.provedTo[name] = map[peer.ID]bool{}
	}
	p.topics.provedTo[name][s.Conn().RemotePeer()] = true
	p.topics.mu.Unlock()
}
