package core

import (
	"context"

	"hallway/core/people"

	"github.com/libp2p/go-libp2p/core/peer"
)

// dialer is the people dialer under the names the rest of core calls it by.
type dialer struct{ *people.Dialer }

func (d *dialer) run(ctx context.Context) error { return d.Run(ctx) }

func (d *dialer) reconnect(ctx context.Context, id peer.ID) { d.Reconnect(ctx, id) }
