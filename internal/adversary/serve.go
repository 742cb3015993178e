package adversary

import (
	"bufio"
	"crypto/rand"
	"encoding/binary"
	"io"
	"sync/atomic"
	"time"

	"hallway/p2p"

	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
)

// SyncAnswer decides what the adversary sends back to a sync request:
// any bytes, framed as they come.
type SyncAnswer func(from peer.ID, req p2p.SyncRequest) [][]byte

// ServeSync answers room sync requests with whatever answer returns,
// without checking the requester's proof. It returns a counter of the
// requests answered.
func (p *Peer) ServeSync(answer SyncAnswer) *atomic.Int64 {
	var served atomic.Int64
	p.Host.SetStreamHandler(p2p.ProtoSync, func(s network.Stream) {
		defer s.Close()
		s.SetDeadline(time.Now().Add(30 * time.Second))
		// The challenge an honest responder sends first; the proofs the
		// requester makes for it are not checked here.
		challenge := make([]byte, p2p.SyncChallengeBytes)
		rand.Read(challenge)
		if _, err := s.Write(Frame(challenge)); err != nil {
			s.Reset()
			return
		}
		r := bufio.NewReader(s)
		n, err := binary.ReadUvarint(r)
		if err != nil || n > 1<<20 {
			s.Reset()
			return
		}
		b := make([]byte, n)
		if _, err := io.ReadFull(r, b); err != nil {
			s.Reset()
			return
		}
		req, err := p2p.DecodeSyncRequest(b)
		if err != nil {
			s.Reset()
			return
		}
		served.Add(1)
		for _, frame := range answer(s.Conn().RemotePeer(), req) {
			if _, err := s.Write(frame); err != nil {
				return
			}
		}
	})
	return &served
}

// SinkProfiles reads and drops profile pushes, so victims' pushes to the
// adversary complete like pushes to a colleague.
func (p *Peer) SinkProfiles() {
	p.Host.SetStreamHandler(p2p.ProtoProfile, func(s network.Stream) {
		s.SetDeadline(time.Now().Add(10 * time.Second))
		io.Copy(io.Discard, io.LimitReader(s, 1<<20))
		s.Close()
	})
}
