package adversary

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"hallway/chat"
	"hallway/p2p"

	"github.com/libp2p/go-libp2p/core/peer"
)

// PushProfile tells a victim the adversary is called name, as a
// colleague's node does on connecting: from then on the victim has met
// this key under that name.
func (p *Peer) PushProfile(ctx context.Context, to peer.ID, name string) error {
	b, err := json.Marshal(p2p.Profile{Name: name, Status: chat.StatusAvailable, Version: time.Now().UnixNano()})
	if err != nil {
		return err
	}
	if o := p.Send(ctx, to, p2p.ProtoProfile, Frame(b), 10*time.Second); !o.EOF {
		return fmt.Errorf("adversary: profile push to %s: %v", to.ShortString(), o)
	}
	return nil
}
