package p2p

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"strings"
	"time"

	"hallway/chat"

	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
)

// ProtoEnter lets a newcomer into the workspace by a pass, at a member's
// node, while no admin is online (core/rooms/enter.go). Two exchanges on
// one stream, over the connection's Noise channel, each message a frame
// (frame.go):
//
//  1. Request: version (1) = 1 || len(room) (1) || room || len(proof) (1)
//     || proof (the pass's signature of the room, the newcomer and the
//     time). Reply: status (1), and for EnterOK n (1) || n × (epoch (8,
//     big-endian) || key (32)), the workspace room's epoch keys in
//     increasing order, then m (1) || m × 32, the heads of its log.
//  2. After EnterOK: the newcomer's join, a signed envelope naming those
//     heads (at most 8 KiB). Reply: status (1) ||
//     len(reason) (1) || reason, why the log refused it.
const ProtoEnter = "/hallway/enter/1.0.0"

// Entry limits.
const (
	enterVersion      = 1
	maxEnterProof     = 255
	maxEnterHeads     = 16
	maxEnterRequest   = 3 + chat.MaxRoomIDBytes + maxEnterProof
	maxEnterEnvelope  = 8 << 10
	maxEnterReply     = 1 + 1 + MaxRedeemEpochs*(8+32) + 1 + maxEnterHeads*32 + 2 + maxEnterEnvelope
	maxEnterVerdict   = 2 + 255
	enterDialTimeout  = 15 * time.Second
	enterServeTimeout = 15 * time.Second
)

// EnterStatus is a member's answer to a newcomer.
type EnterStatus byte

// The answers.
const (
	EnterOK        EnterStatus = 0
	EnterNotMember EnterStatus = 1 // the node is not a member of that workspace room
	EnterUnknown   EnterStatus = 2 // no pass there has that key, or the proof does not check
	EnterExpired   EnterStatus = 3
	EnterClosed    EnterStatus = 4
	EnterUsedUp    EnterStatus = 5
	EnterClock     EnterStatus = 6 // the newcomer's clock is too far from the member's
	EnterRefused   EnterStatus = 7 // the log refused the join (reason given)
	EnterLater     EnterStatus = 8 // the member has not caught up with the log since it started
	enterStatuses              = 9
)

// EnterRequest is a newcomer's first message.
type EnterRequest struct {
	Room  string
	Proof []byte
}

// EnterReply is a member's first answer.
type EnterReply struct {
	Status EnterStatus
	Epochs []RedeemEpoch
	Heads  [][32]byte
	// Opening is the envelope of the log's operation that opened the
	// pass, by which the newcomer tells a member from anyone else
	// holding the workspace key (core/rooms/enter.go).
	Opening []byte
}

// EnterServer answers newcomers; core implements it.
type EnterServer interface {
	// ServeEnter checks a newcomer's pass.
	ServeEnter(ctx context.Context, from peer.ID, req EnterRequest) EnterReply
	// ServeEntry takes the join of a newcomer whose pass checked.
	ServeEntry(ctx context.Context, from peer.ID, env []byte) (EnterStatus, string)
}

// Marshal encodes r.
func (r EnterRequest) Marshal() []byte {
	out := []byte{enterVersion, byte(len(r.Room))}
	out = append(out, r.Room...)
	out = append(out, byte(len(r.Proof)))
	return append(out, r.Proof...)
}

// DecodeEnterRequest parses and bounds a request.
func DecodeEnterRequest(b []byte) (EnterRequest, error) {
	if len(b) < 2 || b[0] != enterVersion {
		return EnterRequest{}, fmt.Errorf("%w: enter request: bad header", ErrBadFrame)
	}
	n := int(b[1])
	if len(b) < 3+n || len(b) != 3+n+int(b[2+n]) {
		return EnterRequest{}, fmt.Errorf("%w: enter request of %d bytes", ErrBadFrame, len(b))
	}
	r := EnterRequest{Room: string(b[2 : 2+n]), Proof: b[3+n:]}
	if !chat.ValidRoomID(r.Room) || len(r.Proof) == 0 {
		return EnterRequest{}, fmt.Errorf("%w: enter request: not a room id, or no proof", ErrBadFrame)
	}
	return r, nil
}

// Marshal encodes r; keys, heads and the opening only for EnterOK (an
// opening over maxEnterEnvelope is left out).
func (r EnterReply) Marshal() []byte {
	if r.Status != EnterOK {
		return []byte{byte(r.Status)}
	}
	out := []byte{byte(EnterOK), byte(len(r.Epochs))}
	out = appendEpochKeys(out, r.Epochs)
	out = append(out, byte(len(r.Heads)))
	for _, h := range r.Heads {
		out = append(out, h[:]...)
	}
	if len(r.Opening) > maxEnterEnvelope {
		return binary.BigEndian.AppendUint16(out, 0)
	}
	out = binary.BigEndian.AppendUint16(out, uint16(len(r.Opening)))
	return append(out, r.Opening...)
}

// DecodeEnterReply parses and bounds a first answer.
func DecodeEnterReply(b []byte) (EnterReply, error) {
	if len(b) == 0 || b[0] >= enterStatuses || EnterStatus(b[0]) == EnterRefused {
		return EnterReply{}, fmt.Errorf("%w: enter reply: bad status", ErrBadFrame)
	}
	r := EnterReply{Status: EnterStatus(b[0])}
	if r.Status != EnterOK {
		if len(b) != 1 {
			return EnterReply{}, fmt.Errorf("%w: enter reply: bytes after a refusal", ErrBadFrame)
		}
		return r, nil
	}
	rest := b[1:]
	if len(rest) < 1 || int(rest[0]) > MaxRedeemEpochs || len(rest) < 1+int(rest[0])*40+1 {
		return EnterReply{}, fmt.Errorf("%w: enter reply: epoch keys malformed", ErrBadFrame)
	}
	n := int(rest[0])
	var err error
	if r.Epochs, err = decodeEpochKeys(rest[1:], n, "enter reply"); err != nil {
		return EnterReply{}, err
	}
	rest = rest[1+n*40:]
	m := int(rest[0])
	if m > maxEnterHeads || len(rest) < 1+m*32+2 {
		return EnterReply{}, fmt.Errorf("%w: enter reply: heads malformed", ErrBadFrame)
	}
	for i := range m {
		r.Heads = append(r.Heads, [32]byte(rest[1+i*32:1+(i+1)*32]))
	}
	rest = rest[1+m*32:]
	k := int(binary.BigEndian.Uint16(rest))
	if k > maxEnterEnvelope || len(rest) != 2+k {
		return EnterReply{}, fmt.Errorf("%w: enter reply: the pass's opening malformed", ErrBadFrame)
	}
	if k > 0 {
		r.Opening = bytes.Clone(rest[2:])
	}
	return r, nil
}

// encodeVerdict and decodeVerdict carry the second answer.
func encodeVerdict(st EnterStatus, reason string) []byte {
	if len(reason) > 255 {
		reason = reason[:255]
	}
	return append([]byte{byte(st), byte(len(reason))}, reason...)
}

func decodeVerdict(b []byte) (EnterStatus, string, error) {
	if len(b) < 2 || b[0] >= enterStatuses || len(b) != 2+int(b[1]) {
		return 0, "", fmt.Errorf("%w: enter verdict malformed", ErrBadFrame)
	}
	return EnterStatus(b[0]), strings.ToValidUTF8(string(b[2:]), "?"), nil
}

// SetEnterServer starts answering newcomers.
func (n *Node) SetEnterServer(s EnterServer) {
	n.host.SetStreamHandler(ProtoEnter, func(st network.Stream) {
		from := st.Conn().RemotePeer()
		var err error
		defer func() { closeStream(st, err) }()
		st.SetDeadline(time.Now().Add(enterServeTimeout))
		r := bufio.NewReader(st)
		var b []byte
		if b, err = readFrame(r, maxEnterRequest); err != nil {
			return
		}
		var req EnterRequest
		if req, err = DecodeEnterRequest(b); err != nil {
			n.log.Debug("bad enter request", "peer", from, "err", err)
			return
		}
		if err = n.waitPace(n.redeemPace, from, 10*time.Second); err != nil {
			return
		}
		rep := s.ServeEnter(n.ctx, from, req)
		if err = writeFrame(st, rep.Marshal()); err != nil || rep.Status != EnterOK {
			return
		}
		if b, err = readFrame(r, maxEnterEnvelope); err != nil {
			return
		}
		status, reason := s.ServeEntry(n.ctx, from, b)
		err = writeFrame(st, encodeVerdict(status, reason))
	})
}

// Enter asks a member to let us in by a pass: join makes our join from
// the member's first answer. It returns the member's verdict.
func (n *Node) Enter(ctx context.Context, to peer.ID, req EnterRequest, join func(EnterReply) ([]byte, error)) (st EnterStatus, reason string, err error) {
	ctx, cancel := context.WithTimeout(ctx, enterDialTimeout)
	defer cancel()
	s, err := n.host.NewStream(ctx, to, ProtoEnter)
	if err != nil {
		return 0, "", fmt.Errorf("p2p: open enter stream to %s: %w", to.ShortString(), err)
	}
	defer func() { closeStream(s, err) }()
	if dl, ok := ctx.Deadline(); ok {
		s.SetDeadline(dl)
	}
	if err = writeFrame(s, req.Marshal()); err != nil {
		return 0, "", fmt.Errorf("p2p: send enter request: %w", err)
	}
	r := bufio.NewReader(s)
	b, err := readFrame(r, maxEnterReply)
	if err != nil {
		return 0, "", fmt.Errorf("p2p: read enter reply: %w", err)
	}
	rep, err := DecodeEnterReply(b)
	if err != nil || rep.Status != EnterOK {
		return rep.Status, "", err
	}
	env, err := join(rep)
	if err != nil {
		return 0, "", err
	}
	if len(env) > maxEnterEnvelope {
		return 0, "", fmt.Errorf("p2p: a join of %d bytes", len(env))
	}
	if err = writeFrame(s, env); err != nil {
		return 0, "", fmt.Errorf("p2p: send the join: %w", err)
	}
	if b, err = readFrame(r, maxEnterVerdict); err != nil {
		return 0, "", fmt.Errorf("p2p: read enter verdict: %w", err)
	}
	return decodeVerdict(b)
}
