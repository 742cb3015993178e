package p2p

import (
	"context"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/p2p/net/connmgr"
	ma "github.com/multiformats/go-multiaddr"
)

// A peer holding streams open without sending a frame gets no more than
// the protocol's cap at once; the rest are reset at the start.
func TestStreamsPerPeerAndProtocolAreCapped(t *testing.T) {
	a, _ := newTestNode(t, nil)
	b, _ := newTestNode(t, nil)
	connect(t, a, b)
	const opened = 10
	limit := protocolStreamCaps[ProtoProfile]
	ended := make(chan struct{}, opened)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for range opened {
		s, err := a.host.NewStream(ctx, b.ID(), ProtoProfile)
		if err != nil {
			ended <- struct{}{}
			continue
		}
		t.Cleanup(func() { s.Reset() })
		s.Write([]byte{0x80}) // the start of a length that never ends
		go func() {
			buf := make([]byte, 1)
			s.Read(buf)
			ended <- struct{}{}
		}()
	}
	for range opened - limit {
		select {
		case <-ended:
		case <-ctx.Done():
			t.Fatalf("fewer than %d of %d held streams were refused", opened-limit, opened)
		}
	}
	select {
	case <-ended:
		t.Fatalf("more than %d streams refused: the cap is %d", opened-limit, limit)
	default:
	}
}

// One address that opens connections without pause uses up its own
// allowance only: a colleague at another address of the same LAN still
// connects.
func TestConnectionFloodFromOneAddressSparesTheOthers(t *testing.T) {
	rm, err := newResourceManager()
	if err != nil {
		t.Fatal(err)
	}
	defer rm.Close()
	flooder := ma.StringCast("/ip4/10.1.2.3/tcp/4001")
	var held []network.ConnManagementScope
	defer func() {
		for _, s := range held {
			s.Done()
		}
	}()
	refused := false
	for range 10 * perAddrBurst {
		s, err := rm.OpenConnection(network.DirInbound, true, flooder)
		if err != nil {
			refused = true
			break
		}
		held = append(held, s)
	}
	if !refused {
		t.Fatalf("%d connections from one LAN address, none refused", len(held))
	}
	colleague := ma.StringCast("/ip4/10.1.2.4/tcp/4001")
	s, err := rm.OpenConnection(network.DirInbound, true, colleague)
	if err != nil {
		t.Fatalf("a colleague at another address was refused after one address flooded: %v", err)
	}
	s.Done()
}

// An office of officeConns colleagues keeps every connection: the
// connection manager trims nothing below that (libp2p's default trims
// past 192 down to 160), and the resource manager admits as many as the
// connection manager lets pass.
func TestAnOfficeKeepsEveryConnection(t *testing.T) {
	a, _ := newTestNode(t, nil)
	cm, ok := a.host.ConnManager().(*connmgr.BasicConnMgr)
	if !ok {
		t.Fatalf("connection manager is %T", a.host.ConnManager())
	}
	info := cm.GetInfo()
	if info.LowWater < officeConns || info.HighWater < info.LowWater {
		t.Fatalf("connections trimmed past %d down to %d; an office of %d needs each", info.HighWater, info.LowWater, officeConns)
	}
	if conns := resourceLimits().ToPartialLimitConfig().System.Conns; int(conns) < info.HighWater {
		t.Fatalf("the resource manager admits %d connections, fewer than the %d kept", conns, info.HighWater)
	}
}
