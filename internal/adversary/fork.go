package adversary

import (
	"context"
	"fmt"
	"time"

	hcrypto "hallway/crypto"

	pb "github.com/libp2p/go-libp2p-pubsub/pb"
	"github.com/libp2p/go-libp2p/core/peer"
)

// Equivocate forks the adversary's history in room: for each target it
// signs its own version of post seq (texts[i] for targets[i]) and writes
// it by gossip to that member alone, so that each believes the room says
// something else. Every version is genuine, a valid envelope of the
// adversary's; only no honest author signs two under one seq. It returns
// the envelopes, in target order.
func (p *Peer) Equivocate(ctx context.Context, key hcrypto.RoomKey, room string, seq uint64, targets []peer.ID, texts []string) ([]*hcrypto.Envelope, error) {
	if len(targets) != len(texts) {
		return nil, fmt.Errorf("adversary: equivocate: %d targets, %d texts", len(targets), len(texts))
	}
	at := time.Now()
	var out []*hcrypto.Envelope
	for i, to := range targets {
		env, err := p.PostAt(key, room, seq, at, texts[i])
		if err != nil {
			return nil, err
		}
		m, err := p.Gossip(room, env.Marshal())
		if err != nil {
			return nil, err
		}
		if err := p.RawPublish(ctx, to, []*pb.Message{m}); err != nil {
			return nil, fmt.Errorf("adversary: equivocate to %s: %w", to, err)
		}
		out = append(out, env)
	}
	return out, nil
}
