package adversary

import (
	"bytes"
	"context"
	"encoding/json"
	"time"

	hcrypto "hallway/crypto"
	"hallway/p2p"

	"github.com/libp2p/go-libp2p/core/peer"
)

// AskHistory asks a victim for the whole history of a room, with a valid
// proof made from the room key (which, for the open workspace's #general,
// anyone can derive), and returns the envelopes it answered with: what a
// stranger's Hallway on a new network would try to take from a laptop.
func (p *Peer) AskHistory(ctx context.Context, to peer.ID, room string, key hcrypto.RoomKey) ([][]byte, error) {
	proof := key.SyncProof(room, []byte(p.ID()), []byte(to))
	b, err := json.Marshal(p2p.SyncRequest{Rooms: []p2p.SyncRoom{{ID: room, Proof: proof[:], Have: map[string]uint64{}}}})
	if err != nil {
		return nil, err
	}
	o := p.Send(ctx, to, p2p.ProtoSync, Frame(b), 20*time.Second)
	if o.Err != nil {
		return nil, o.Err
	}
	return ReadFrames(bytes.NewReader(o.Reply), 1<<20)
}
