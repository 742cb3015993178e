package adversary

import (
	"bufio"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	hcrypto "hallway/crypto"
	"hallway/p2p"

	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/core/protocol"
)

// AskHistory asks a victim for the whole history of a room, proving the
// room's first key (which, for the open workspace's #general, anyone can
// derive), and returns the envelopes it answered with: what a stranger's
// Hallway on a new network would try to take from a laptop.
func (p *Peer) AskHistory(ctx context.Context, to peer.ID, room string, key hcrypto.RoomKey) ([][]byte, error) {
	return p.AskEpochs(ctx, to, room, map[uint64]hcrypto.RoomKey{0: key})
}

// AskEpochs asks a victim for the whole history of a room, proving every
// epoch key in keys for the victim's challenge, as a member would: a
// member a re-key left out proves all the keys it kept.
func (p *Peer) AskEpochs(ctx context.Context, to peer.ID, room string, keys map[uint64]hcrypto.RoomKey) ([][]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	s, err := p.Host.NewStream(ctx, to, protocol.ID(p2p.ProtoSync))
	if err != nil {
		return nil, err
	}
	defer s.Reset()
	s.SetDeadline(time.Now().Add(20 * time.Second))
	r := bufio.NewReader(s)
	n, err := binary.ReadUvarint(r)
	if err != nil || n != p2p.SyncChallengeBytes {
		return nil, errors.Join(errors.New("adversary: no sync challenge"), err)
	}
	challenge := make([]byte, n)
	if _, err := io.ReadFull(r, challenge); err != nil {
		return nil, err
	}
	entry := p2p.SyncRoom{ID: room, Have: map[string]uint64{}}
	for epoch, k := range keys {
		proof := k.EpochProof(room, epoch, []byte(p.ID()), []byte(to), challenge)
		entry.Epochs = append(entry.Epochs, p2p.SyncEpoch{Epoch: epoch, Proof: proof[:]})
	}
	b, err := json.Marshal(p2p.SyncRequest{Rooms: []p2p.SyncRoom{entry}})
	if err != nil {
		return nil, err
	}
	if _, err := s.Write(Frame(b)); err != nil {
		return nil, err
	}
	s.CloseWrite()
	rest, err := io.ReadAll(io.LimitReader(r, 8<<20))
	if err != nil {
		return nil, err
	}
	return ReadFrames(bytesReader(rest), 1<<20)
}

// Prove asks each of victims for a room's history, proving the epoch 0
// key as a member's node does: from then on the victims take the
// adversary into the room topic's mesh, like any member (an insider
// holds the key and would).
func (p *Peer) Prove(ctx context.Context, room string, key hcrypto.RoomKey, victims ...peer.ID) error {
	name := RoomTopic(room, key, 0)
	for _, v := range victims {
		if _, err := p.AskHistory(ctx, v, room, key); err != nil {
			return fmt.Errorf("adversary: prove %s to %s: %w", room, v.ShortString(), err)
		}
		// The victim holds our proof now: it may never ask for it again
		// (serveProve), and WaitTopicPeers must not wait for that.
		p.topics.mu.Lock()
		if p.topics.provedTo[name] == nil {
			p.topics.provedTo[name] = map[peer.ID]bool{}
		}
		p.topics.provedTo[name][v] = true
		p.topics.mu.Unlock()
	}
	return nil
}
