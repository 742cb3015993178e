package p2p

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/p2p/protocol/identify"
)

// PushProfile tells one connected colleague our profile.
func (n *Node) PushProfile(ctx context.Context, to peer.ID, p Profile) (err error) {
	b, err := json.Marshal(p)
	if err != nil {
		return fmt.Errorf("p2p: encode profile: %w", err)
	}
	if len(b) > maxProfileFrame {
		return fmt.Errorf("p2p: profile is %d bytes, at most %d", len(b), maxProfileFrame)
	}
	s, err := n.host.NewStream(network.WithNoDial(ctx, "profile push"), to, ProtoProfile)
	if err != nil {
		return fmt.Errorf("p2p: open profile stream to %s: %w", to.ShortString(), err)
	}
	defer func() { closeStream(s, err) }()
	s.SetDeadline(time.Now().Add(10 * time.Second))
	if err = writeFrame(s, b); err != nil {
		return fmt.Errorf("p2p: push profile: %w", err)
	}
	if err = s.CloseWrite(); err != nil {
		return fmt.Errorf("p2p: push profile: %w", err)
	}
	// Wait for the receiver to finish so a push is done when we return.
	_, err = io.Copy(io.Discard, io.LimitReader(s, 1))
	return err
}

func (n *Node) serveProfile(s network.Stream) {
	from := s.Conn().RemotePeer()
	var err error
	defer func() { closeStream(s, err) }()
	s.SetReadDeadline(time.Now().Add(10 * time.Second))
	var b []byte
	b, err = readFrame(bufio.NewReader(s), maxProfileFrame)
	if err != nil {
		n.log.Debug("bad profile frame", "peer", from, "err", err)
		return
	}
	var p Profile
	p, err = DecodeProfile(b)
	if err != nil {
		n.log.Debug("bad profile", "peer", from, "err", err)
		return
	}
	if err = n.waitPace(n.profilePace, from, 10*time.Second); err != nil {
		return
	}
	n.waitIdentified(s.Conn())
	n.handler.HandleProfile(n.ctx, from, p)
}

// waitIdentified waits, briefly, until libp2p's identify exchange on c is
// done: only then does the peerstore hold the addresses a colleague who
// dialled us listens at, which its profile record keeps.
func (n *Node) waitIdentified(c network.Conn) {
	ids, ok := n.host.(interface{ IDService() identify.IDService })
	if !ok {
		return
	}
	t := time.NewTimer(2 * time.Second)
	defer t.Stop()
	select {
	case <-ids.IDService().IdentifyWait(c):
	case <-t.C:
	case <-n.ctx.Done():
	}
}
