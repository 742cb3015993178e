package p2p

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"
	ma "github.com/multiformats/go-multiaddr"
	manet "github.com/multiformats/go-multiaddr/net"
)

// Reasons a colleague cannot be reached, for callers that branch on them.
var (
	// ErrDifferentWorkspace: the address answers, but the handshake fails.
	// With private networks that is what a mismatched workspace key looks
	// like on the wire; libp2p itself only reports a timeout or garbage.
	ErrDifferentWorkspace = errors.New("the colleague answers but is in a different workspace (another workspace key), or is not Hallway")
	ErrWrongPeer          = errors.New("a different Hallway answered at that address (peer ID mismatch)")
	ErrNotLAN             = errors.New("the address is not on the local network; Hallway only connects inside the LAN")
	ErrUnreachable        = errors.New("the colleague is not reachable at that address")
	ErrSelf               = errors.New("that is this Hallway's own address")
	// ErrSlowHandshake: the connection was made (so the workspace key and
	// the identity matched) but the colleague did not finish introducing
	// itself in time: its machine is busy. It is tried again.
	ErrSlowHandshake = errors.New("the colleague's machine answered but did not finish connecting in time (it may be busy)")
)

func (n *Node) classifyDialError(ctx context.Context, id peer.ID, addrs []ma.Multiaddr, err error) error {
	msg := err.Error()
	switch {
	case strings.Contains(msg, "peer id mismatch"):
		return fmt.Errorf("%w: %v", ErrWrongPeer, err)
	case strings.Contains(msg, "gater disallows"):
		return fmt.Errorf("%w: %v", ErrNotLAN, err)
	case identifyUnfinished(msg):
		// Probing the address with a plain connection would only load
		// a busy machine further.
		return fmt.Errorf("%w: %v", ErrSlowHandshake, err)
	}
	// With different keys the private-network layer turns the handshake
	// into noise: it fails to negotiate or times out. If a plain TCP
	// connection then succeeds, something is listening that does not share
	// our workspace key.
	if !strings.Contains(msg, "failed to negotiate") && !errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("%w: %v", ErrUnreachable, err)
	}
	dialErr := err
	for _, a := range addrs {
		ip, ok := multiaddrIP(a)
		if !ok || !n.nets.allows(ip) {
			continue
		}
		na, err := manet.ToNetAddr(a)
		if err != nil {
			continue
		}
		dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
		var d net.Dialer
		c, derr := d.DialContext(dctx, na.Network(), na.String())
		cancel()
		if derr == nil {
			c.Close()
			if IsSameKey(ctx) && errors.Is(dialErr, context.DeadlineExceeded) {
				return fmt.Errorf("%w (%s): %v", ErrSlowHandshake, a, dialErr)
			}
			return fmt.Errorf("%w (%s): %v", ErrDifferentWorkspace, a, dialErr)
		}
	}
	return fmt.Errorf("%w: %v", ErrUnreachable, err)
}

// sameKeyDial marks a context whose dials are of a peer known to share
// our workspace key (WithSameKey).
type sameKeyDial struct{}

// WithSameKey marks the dials made with ctx as dials of a peer known to
// share our workspace key: a colleague met before, or one a connected
// colleague introduced (it connects only under our key). A handshake that
// then runs out of time at an address that takes connections is a busy
// machine (ErrSlowHandshake), not another workspace: an office whose
// machines are all busy at once must not read as strangers. One that
// fails outright still reads as another key: the colleague may have moved
// to another workspace, or stayed on a key rotated since.
func WithSameKey(ctx context.Context) context.Context {
	return context.WithValue(ctx, sameKeyDial{}, true)
}

// IsSameKey reports whether ctx was marked by WithSameKey.
func IsSameKey(ctx context.Context) bool {
	v, _ := ctx.Value(sameKeyDial{}).(bool)
	return v
}

// identifyUnfinished reports whether a dial's error says the connection
// was made but the colleague's identify did not complete: identify runs
// over a connection already secured, so the keys matched.
func identifyUnfinished(msg string) bool {
	return strings.Contains(msg, "identify failed")
}
