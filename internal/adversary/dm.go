package adversary

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"hallway/p2p"

	"github.com/libp2p/go-libp2p/core/peer"
)

// DMAck is a receiver's answer to one DM frame.
type DMAck struct {
	ID    string `json:"id"`
	OK    bool   `json:"ok"`
	Error string `json:"error,omitempty"`
}

// SendDMs sends direct messages on one stream, encoded by the product's
// own wire types, and returns the acknowledgements that came back.
func (p *Peer) SendDMs(ctx context.Context, to peer.ID, dms []p2p.DM) ([]DMAck, error) {
	var payload []byte
	for _, m := range dms {
		b, err := json.Marshal(m)
		if err != nil {
			return nil, err
		}
		payload = append(payload, Frame(b)...)
	}
	out := p.Send(ctx, to, p2p.ProtoDM, payload, 30*time.Second)
	frames, err := ReadFrames(bytesReader(out.Reply), 1<<10)
	if err != nil {
		return nil, err
	}
	var acks []DMAck
	for _, f := range frames {
		var a DMAck
		if err := json.Unmarshal(f, &a); err != nil {
			return acks, err
		}
		acks = append(acks, a)
	}
	if len(acks) != len(dms) {
		return acks, fmt.Errorf("adversary: %d of %d DMs acknowledged (%s)", len(acks), len(dms), out)
	}
	return acks, nil
}
