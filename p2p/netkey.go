package p2p

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	ic "github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"

	"hallway/chat"
)

// ProtoNetKey hands the network key an admin rotated to a member whose
// node still runs on an older one (it was away): a colleague on the new
// key dials it from a short-lived host on the old key, and gives it the
// #general epoch key the new network key derives from, with the admin's
// signature of the rotation. The member's gater lets only colleagues of
// its workspace in, and the member checks the signature against its own
// log before it moves (core/netkey_grace.go).
const ProtoNetKey = "/hallway/netkey/1.0.0"

// NetKeyHandover is what ProtoNetKey carries.
type NetKeyHandover struct {
	Room  string `json:"room"`  // the workspace room whose admin rotated
	Epoch uint64 `json:"epoch"` // #general's epoch the key derives from
	Key   []byte `json:"key"`   // that epoch's key
	By    string `json:"by"`    // the rotating admin
	Sig   []byte `json:"sig"`   // its signature of crypto.RotationMessage
}

const (
	maxNetKeyHandover  = 2 << 10
	maxNetKeySig       = 256
	netKeyServeTimeout = 10 * time.Second
	netKeyDialTimeout  = 10 * time.Second
)

// DecodeNetKeyHandover parses and bounds a handover.
func DecodeNetKeyHandover(b []byte) (NetKeyHandover, error) {
	var h NetKeyHandover
	if len(b) > maxNetKeyHandover {
		return h, fmt.Errorf("%w: a network key handover of %d bytes", ErrBadFrame, len(b))
	}
	if err := json.Unmarshal(b, &h); err != nil {
		return h, fmt.Errorf("%w: network key handover: %v", ErrBadFrame, err)
	}
	switch {
	case !chat.IsRandomRoomID(h.Room):
		return h, fmt.Errorf("%w: network key handover names no workspace room", ErrBadFrame)
	case h.Epoch == 0 || h.Epoch > maxSyncEpoch:
		return h, fmt.Errorf("%w: network key handover with a bad epoch", ErrBadFrame)
	case len(h.Key) != 32:
		return h, fmt.Errorf("%w: network key handover with a key of %d bytes", ErrBadFrame, len(h.Key))
	case len(h.Sig) == 0 || len(h.Sig) > maxNetKeySig:
		return h, fmt.Errorf("%w: network key handover with a bad signature", ErrBadFrame)
	}
	if _, err := peer.Decode(h.By); err != nil {
		return h, fmt.Errorf("%w: network key handover signed by no peer", ErrBadFrame)
	}
	return h, nil
}

// NetKeyServer takes handovers; an error refuses one.
type NetKeyServer interface {
	NetKeyHandedOver(ctx context.Context, from peer.ID, h NetKeyHandover) error
}

// SetNetKeyServer starts taking handovers, from colleagues the node admits.
func (n *Node) SetNetKeyServer(s NetKeyServer) {
	n.handle(ProtoNetKey, func(st network.Stream) {
		from := st.Conn().RemotePeer()
		var err error
		defer func() { closeStream(st, err) }()
		st.SetDeadline(time.Now().Add(netKeyServeTimeout))
		var b []byte
		if b, err = readFrame(bufio.NewReader(st), maxNetKeyHandover); err != nil {
			return
		}
		var h NetKeyHandover
		if h, err = DecodeNetKeyHandover(b); err != nil {
			n.log.Debug("bad network key handover", "peer", from, "err", err)
			return
		}
		if err = n.waitPace(n.redeemPace, from, 10*time.Second); err != nil {
			return
		}
		verdict := "ok"
		if herr := s.NetKeyHandedOver(n.ctx, from, h); herr != nil {
			verdict = herr.Error()
		}
		err = writeFrame(st, []byte(verdict[:min(len(verdict), 255)]))
	})
}

// HandOverNetKey dials to at its addresses on the network key psk (an
// older one than ours), as identity, from a host that lives for this one
// handover, and gives it h. It returns the member's refusal, if any.
func HandOverNetKey(ctx context.Context, identity ic.PrivKey, psk []byte, to peer.AddrInfo, h NetKeyHandover) (err error) {
	if len(psk) != 32 {
		return fmt.Errorf("p2p: a network key of %d bytes", len(psk))
	}
	b, err := json.Marshal(h)
	if err != nil {
		return err
	}
	if _, err := DecodeNetKeyHandover(b); err != nil {
		return err
	}
	hst, err := shortHost(identity, psk)
	if err != nil {
		return fmt.Errorf("p2p: start a host on the old network key: %w", err)
	}
	defer hst.Close()
	ctx, cancel := context.WithTimeout(ctx, netKeyDialTimeout)
	defer cancel()
	if err := hst.Connect(ctx, to); err != nil {
		return fmt.Errorf("p2p: dial %s on the old network key: %w", to.ID.ShortString(), err)
	}
	s, err := hst.NewStream(ctx, to.ID, ProtoNetKey)
	if err != nil {
		return fmt.Errorf("p2p: open network key stream to %s: %w", to.ID.ShortString(), err)
	}
	defer func() { closeStream(s, err) }()
	if dl, ok := ctx.Deadline(); ok {
		s.SetDeadline(dl)
	}
	if err = writeFrame(s, b); err != nil {
		return fmt.Errorf("p2p: send the network key: %w", err)
	}
	verdict, err := readFrame(bufio.NewReader(s), 255)
	if err != nil {
		return fmt.Errorf("p2p: read the network key verdict: %w", err)
	}
	if string(verdict) != "ok" {
		return fmt.Errorf("p2p: %s refused the network key: %s", to.ID.ShortString(), strings.ToValidUTF8(string(verdict), "?"))
	}
	return nil
}
