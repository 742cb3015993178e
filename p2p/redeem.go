package p2p

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"time"

	"hallway/chat"

	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
)

// ProtoRedeem redeems a room code at a member's node: the asker proves it
// holds the code and gets the room. One request, one reply, over the
// connection's Noise channel, so only the member it asked reads either.
//
// Request: version (1) = 1 || len(room) (1) || room || lookup (16) ||
// proof (32). Reply: status (1), and for RedeemOK len(room) (1) || room ||
// len(name) (1) || name || key (32) || [n (1) || n × (epoch (8, big-endian)
// || key (32))]: the keys of the room's later epochs the member holds, in
// increasing epoch order, at most MaxRedeemEpochs (the newest).
const ProtoRedeem = "/hallway/redeem/1.0.0"

// Redemption limits.
const (
	redeemVersion     = 1
	maxRedeemRequest  = 2 + chat.MaxRoomIDBytes + 16 + 32
	maxRedeemReply    = 1 + 1 + chat.MaxRoomIDBytes + 1 + 255 + 32 + 1 + MaxRedeemEpochs*(8+32)
	redeemDialTimeout = 10 * time.Second
)

// MaxRedeemEpochs bounds the epoch keys one reply hands over.
const MaxRedeemEpochs = 32

// RedeemStatus is a member's answer to a redemption.
type RedeemStatus byte

// The answers. Only RedeemOK carries a room.
const (
	RedeemOK        RedeemStatus = 0
	RedeemNotMember RedeemStatus = 1 // the node is not in the room
	RedeemUnknown   RedeemStatus = 2 // no code of the room has that lookup id and proof
	RedeemExpired   RedeemStatus = 3
	RedeemRevoked   RedeemStatus = 4
	RedeemUsedUp    RedeemStatus = 5
	redeemStatuses               = 6
)

// RedeemRequest asks for the room of a code.
type RedeemRequest struct {
	Room   string
	Lookup [16]byte
	Proof  [32]byte
}

// RedeemReply is a member's answer.
type RedeemReply struct {
	Status RedeemStatus
	Room   string
	Name   string
	Key    [32]byte
	// Epochs are the keys of the room's epochs after the first.
	Epochs []RedeemEpoch
}

// RedeemEpoch is the key of one later epoch of a room.
type RedeemEpoch struct {
	Epoch uint64
	Key   [32]byte
}

// RedeemServer answers redemptions; core implements it.
type RedeemServer interface {
	ServeRedeem(ctx context.Context, from peer.ID, req RedeemRequest) RedeemReply
}

// Marshal encodes r.
func (r RedeemRequest) Marshal() []byte {
	out := []byte{redeemVersion, byte(len(r.Room))}
	out = append(out, r.Room...)
	out = append(out, r.Lookup[:]...)
	return append(out, r.Proof[:]...)
}

// DecodeRedeemRequest parses and bounds a request.
func DecodeRedeemRequest(b []byte) (RedeemRequest, error) {
	var r RedeemRequest
	if len(b) < 2 || b[0] != redeemVersion {
		return r, fmt.Errorf("%w: redeem request: bad header", ErrBadFrame)
	}
	n := int(b[1])
	if len(b) != 2+n+16+32 {
		return r, fmt.Errorf("%w: redeem request of %d bytes", ErrBadFrame, len(b))
	}
	r.Room = string(b[2 : 2+n])
	if !chat.ValidRoomID(r.Room) {
		return RedeemRequest{}, fmt.Errorf("%w: redeem request: not a room id", ErrBadFrame)
	}
	copy(r.Lookup[:], b[2+n:])
	copy(r.Proof[:], b[2+n+16:])
	return r, nil
}

// Marshal encodes r; fields beyond the status only for RedeemOK.
func (r RedeemReply) Marshal() []byte {
	if r.Status != RedeemOK {
		return []byte{byte(r.Status)}
	}
	out := []byte{byte(RedeemOK), byte(len(r.Room))}
	out = append(out, r.Room...)
	out = append(out, byte(len(r.Name)))
	out = append(out, r.Name...)
	out = append(out, r.Key[:]...)
	if len(r.Epochs) == 0 {
		return out
	}
	out = append(out, byte(len(r.Epochs)))
	return appendEpochKeys(out, r.Epochs)
}

// appendEpochKeys encodes epoch keys: n × (epoch (8, big-endian) || key).
func appendEpochKeys(out []byte, epochs []RedeemEpoch) []byte {
	for _, e := range epochs {
		out = binary.BigEndian.AppendUint64(out, e.Epoch)
		out = append(out, e.Key[:]...)
	}
	return out
}

// decodeEpochKeys reads n epoch keys (appendEpochKeys) from the start of
// b, in strictly increasing epoch order from 1; b holds them all.
func decodeEpochKeys(b []byte, n int, what string) ([]RedeemEpoch, error) {
	var out []RedeemEpoch
	for i := range n {
		e := RedeemEpoch{Epoch: binary.BigEndian.Uint64(b[i*40:])}
		copy(e.Key[:], b[i*40+8:(i+1)*40])
		if e.Epoch == 0 || (i > 0 && e.Epoch <= out[i-1].Epoch) {
			return nil, fmt.Errorf("%w: %s: epochs out of order", ErrBadFrame, what)
		}
		out = append(out, e)
	}
	return out, nil
}

// DecodeRedeemReply parses and bounds a reply; the room's name is checked
// by the caller, who joins it.
func DecodeRedeemReply(b []byte) (RedeemReply, error) {
	if len(b) == 0 || b[0] >= redeemStatuses {
		return RedeemReply{}, fmt.Errorf("%w: redeem reply: bad status", ErrBadFrame)
	}
	r := RedeemReply{Status: RedeemStatus(b[0])}
	if r.Status != RedeemOK {
		if len(b) != 1 {
			return RedeemReply{}, fmt.Errorf("%w: redeem reply: bytes after a refusal", ErrBadFrame)
		}
		return r, nil
	}
	rest := b[1:]
	field := func() ([]byte, error) {
		if len(rest) < 1 || len(rest) < 1+int(rest[0]) {
			return nil, fmt.Errorf("%w: redeem reply truncated", ErrBadFrame)
		}
		f := rest[1 : 1+int(rest[0])]
		rest = rest[1+int(rest[0]):]
		return f, nil
	}
	room, err := field()
	if err != nil {
		return RedeemReply{}, err
	}
	name, err := field()
	if err != nil {
		return RedeemReply{}, err
	}
	if len(rest) < len(r.Key) {
		return RedeemReply{}, fmt.Errorf("%w: redeem reply: key of %d bytes", ErrBadFrame, len(rest))
	}
	r.Room, r.Name = string(room), string(name)
	if !chat.ValidRoomID(r.Room) {
		return RedeemReply{}, fmt.Errorf("%w: redeem reply: not a room id", ErrBadFrame)
	}
	copy(r.Key[:], rest)
	rest = rest[len(r.Key):]
	if len(rest) == 0 {
		return r, nil
	}
	n := int(rest[0])
	if n == 0 || n > MaxRedeemEpochs || len(rest) != 1+n*(8+32) {
		return RedeemReply{}, fmt.Errorf("%w: redeem reply: epoch keys malformed", ErrBadFrame)
	}
	if r.Epochs, err = decodeEpochKeys(rest[1:], n, "redeem reply"); err != nil {
		return RedeemReply{}, err
	}
	return r, nil
}

// SetRedeemServer starts answering redemptions.
func (n *Node) SetRedeemServer(s RedeemServer) {
	n.handle(ProtoRedeem, func(st network.Stream) {
		from := st.Conn().RemotePeer()
		var err error
		defer func() { closeStream(st, err) }()
		st.SetDeadline(time.Now().Add(10 * time.Second))
		var b []byte
		if b, err = readFrame(bufio.NewReader(st), maxRedeemRequest); err != nil {
			return
		}
		var req RedeemRequest
		if req, err = DecodeRedeemRequest(b); err != nil {
			n.log.Debug("bad redeem request", "peer", from, "err", err)
			return
		}
		if err = n.waitPace(n.redeemPace, from, 10*time.Second); err != nil {
			return
		}
		err = writeFrame(st, s.ServeRedeem(n.ctx, from, req).Marshal())
	})
}

// Redeem asks peer to for the room of a code, dialing it if it is not
// connected and its address is known.
func (n *Node) Redeem(ctx context.Context, to peer.ID, req RedeemRequest) (rep RedeemReply, err error) {
	ctx, cancel := context.WithTimeout(ctx, redeemDialTimeout)
	defer cancel()
	s, err := n.host.NewStream(ctx, to, ProtoRedeem)
	if err != nil {
		return RedeemReply{}, fmt.Errorf("p2p: open redeem stream to %s: %w", to.ShortString(), err)
	}
	defer func() { closeStream(s, err) }()
	if dl, ok := ctx.Deadline(); ok {
		s.SetDeadline(dl)
	}
	if err = writeFrame(s, req.Marshal()); err != nil {
		return RedeemReply{}, fmt.Errorf("p2p: send redeem request: %w", err)
	}
	if err = s.CloseWrite(); err != nil {
		return RedeemReply{}, err
	}
	b, err := readFrame(bufio.NewReader(s), maxRedeemReply)
	if errors.Is(err, io.EOF) {
		err = fmt.Errorf("p2p: %s did not answer the redemption", to.ShortString())
	}
	if err != nil {
		return RedeemReply{}, err
	}
	return DecodeRedeemReply(b)
}
