package p2p

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
)

// ProtoTyping says that the sender is typing to the receiver in their
// direct conversation (one byte 1), or stopped (0). It is ephemeral: the
// receiver shows it for a few seconds, stores nothing, and answers
// nothing; a sender never dials for it.
const ProtoTyping = "/hallway/typing/1.0.0"

// typingPace: a sender renews a typing signal every few seconds; more
// than this is dropped unread.
var typingPace = PaceConfig{PerSecond: 1, Burst: 3}

// SendTyping tells a connected colleague that we are typing to them (or
// stopped). It fails, without dialling, when they are not connected.
func (n *Node) SendTyping(ctx context.Context, to peer.ID, typing bool) (err error) {
	s, err := n.host.NewStream(network.WithNoDial(ctx, "typing"), to, ProtoTyping)
	if err != nil {
		return fmt.Errorf("p2p: typing to %s: %w", to.ShortString(), err)
	}
	defer func() { closeStream(s, err) }()
	s.SetDeadline(time.Now().Add(5 * time.Second))
	b := byte(0)
	if typing {
		b = 1
	}
	if _, err = s.Write([]byte{b}); err != nil {
		return fmt.Errorf("p2p: typing to %s: %w", to.ShortString(), err)
	}
	if err = s.CloseWrite(); err != nil {
		return fmt.Errorf("p2p: typing to %s: %w", to.ShortString(), err)
	}
	// Done when the receiver is: signals then arrive in order.
	_, err = io.Copy(io.Discard, io.LimitReader(s, 1))
	return err
}

func (n *Node) serveTyping(s network.Stream) {
	from := s.Conn().RemotePeer()
	var err error
	defer func() { closeStream(s, err) }()
	if !n.typingPace.limiter(from).Allow() {
		err = fmt.Errorf("p2p: %s signals typing faster than its pace", from.ShortString())
		return
	}
	s.SetReadDeadline(time.Now().Add(5 * time.Second))
	var b []byte
	if b, err = io.ReadAll(io.LimitReader(s, 2)); err != nil {
		return
	}
	var typing bool
	if typing, err = decodeTyping(b); err != nil {
		return
	}
	if th, ok := n.handler.(TypingHandler); ok {
		th.HandleTyping(n.ctx, from, typing)
	}
}

// decodeTyping reads a typing frame: exactly one byte, 1 or 0.
func decodeTyping(b []byte) (typing bool, err error) {
	if len(b) != 1 || b[0] > 1 {
		return false, fmt.Errorf("%w: typing frame of %d bytes", ErrBadFrame, len(b))
	}
	return b[0] == 1, nil
}

// TypingHandler takes colleagues' typing signals; a Handler that is one
// receives them.
type TypingHandler interface {
	HandleTyping(ctx context.Context, from peer.ID, typing bool)
}
