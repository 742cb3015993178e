package p2p

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/libp2p/go-libp2p"
	ic "github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/core/pnet"
	"github.com/libp2p/go-libp2p/core/sec"
	"github.com/libp2p/go-libp2p/p2p/muxer/yamux"
	"github.com/libp2p/go-libp2p/p2p/security/noise"
	"github.com/libp2p/go-libp2p/p2p/transport/tcp"
	ma "github.com/multiformats/go-multiaddr"
)

// DefaultPort is the TCP port a Hallway listens on when it is free, so
// that a colleague can be added by host name or IP alone.
const DefaultPort = 4774

// identifyTimeout bounds one Identify: a LAN handshake takes milliseconds.
const identifyTimeout = 5 * time.Second

// Identify tells whose Hallway answers at addr (a TCP address without
// /p2p), for a colleague known by a host name or an IP alone. It dials
// from a host that lives for this one question, on this node's network
// key, and asks for a key nobody holds: the Noise handshake then names
// the key that did answer, and stops before either side opens anything.
// Whoever answers holds the network key, so it is of our workspace; who
// it is the caller shows the user (name and fingerprint) before saving.
func (n *Node) Identify(ctx context.Context, addr ma.Multiaddr) (peer.ID, error) {
	if !n.nets.allowsAddr(addr) {
		return "", fmt.Errorf("%w: %s", ErrNotLAN, addr)
	}
	if _, err := addr.ValueForProtocol(ma.P_P2P); err == nil {
		return "", fmt.Errorf("p2p: identify %s: the address names its peer already", addr)
	}
	me, _, err := ic.GenerateEd25519Key(nil)
	if err != nil {
		return "", fmt.Errorf("p2p: identify: %w", err)
	}
	nobody, err := throwawayID()
	if err != nil {
		return "", fmt.Errorf("p2p: identify: %w", err)
	}
	hst, err := shortHost(me, n.psk)
	if err != nil {
		return "", fmt.Errorf("p2p: identify: %w", err)
	}
	defer hst.Close()
	ctx, cancel := context.WithTimeout(ctx, identifyTimeout)
	defer cancel()
	err = hst.Connect(ctx, peer.AddrInfo{ID: nobody, Addrs: []ma.Multiaddr{addr}})
	var mismatch sec.ErrPeerIDMismatch
	switch {
	case errors.As(err, &mismatch) && mismatch.Actual != "":
		if mismatch.Actual == n.ID() {
			return "", ErrSelf
		}
		return mismatch.Actual, nil
	case err == nil:
		return "", fmt.Errorf("p2p: identify %s: a peer answered as a key nobody holds", addr)
	}
	return "", n.classifyDialError(ctx, nobody, []ma.Multiaddr{addr}, err)
}

// throwawayID is the peer ID of a key made and forgotten at once.
func throwawayID() (peer.ID, error) {
	_, pub, err := ic.GenerateEd25519Key(nil)
	if err != nil {
		return "", err
	}
	return peer.IDFromPublicKey(pub)
}

// shortHost is a host that only dials, on the network key psk (nil: the
// open LAN workspace), for one exchange; the caller closes it.
func shortHost(identity ic.PrivKey, psk []byte) (host.Host, error) {
	opts := []libp2p.Option{
		libp2p.Identity(identity),
		libp2p.NoListenAddrs,
		libp2p.Transport(tcp.NewTCPTransport, tcp.DisableReuseport()),
		libp2p.Security(noise.ID, noise.New),
		libp2p.Muxer(yamux.ID, yamux.DefaultTransport),
		libp2p.DisableRelay(),
		libp2p.ForceReachabilityPrivate(),
		libp2p.UserAgent("hallway/1"),
	}
	if psk != nil {
		opts = append(opts, libp2p.PrivateNetwork(pnet.PSK(psk)))
	}
	return libp2p.New(opts...)
}
