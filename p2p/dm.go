package p2p

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
)

// streamIdle bounds how long a stream may sit without progress.
const streamIdle = 30 * time.Second

// SendDMs delivers msgs to a colleague in order, over as few streams as the
// batch cap allows. The sender writes ahead while acknowledgements come back,
// so a long outbox costs one round trip per batch, not per message. onAck is
// called for each message the receiver has committed, in order, before the
// next one is considered; SendDMs returns the first failure.
func (n *Node) SendDMs(ctx context.Context, to peer.ID, msgs []DM, onAck func(DM) error) error {
	for len(msgs) > 0 {
		batch := msgs[:min(len(msgs), maxDMBatch)]
		if err := n.sendDMBatch(ctx, to, batch, onAck); err != nil {
			return err
		}
		msgs = msgs[len(batch):]
	}
	return nil
}

func (n *Node) sendDMBatch(ctx context.Context, to peer.ID, batch []DM, onAck func(DM) error) (err error) {
	s, err := n.host.NewStream(network.WithNoDial(ctx, "colleague offline: queued"), to, ProtoDM)
	if err != nil {
		return fmt.Errorf("p2p: open dm stream to %s: %w", to.ShortString(), err)
	}
	defer func() { closeStream(s, err) }()
	if dl, ok := ctx.Deadline(); ok {
		s.SetDeadline(dl)
	} else {
		s.SetDeadline(time.Now().Add(streamIdle))
	}

	writeErr := make(chan error, 1)
	go func() {
		for _, m := range batch {
			b, err := json.Marshal(m)
			if err == nil {
				err = writeFrame(s, b)
			}
			if err != nil {
				writeErr <- err
				return
			}
		}
		writeErr <- s.CloseWrite()
	}()

	r := bufio.NewReader(s)
	for _, m := range batch {
		b, err := readFrame(r, maxAckFrame)
		if err != nil {
			if werr := <-writeErr; werr != nil {
				return fmt.Errorf("p2p: send dm: %w", werr)
			}
			return fmt.Errorf("p2p: dm acknowledgement: %w", err)
		}
		var ack dmAck
		if err := json.Unmarshal(b, &ack); err != nil || ack.ID != m.ID {
			return fmt.Errorf("p2p: dm acknowledgement: %w: out of order or undecodable", ErrBadFrame)
		}
		if !ack.OK {
			return fmt.Errorf("p2p: colleague refused message: %s", ack.Error)
		}
		if err := onAck(m); err != nil {
			return err
		}
	}
	if err := <-writeErr; err != nil {
		return fmt.Errorf("p2p: send dm: %w", err)
	}
	return nil
}

// serveDM reads DM frames until the sender closes its side, committing and
// acknowledging each. Anything malformed resets the stream: the sender keeps
// the unacknowledged messages and retries.
func (n *Node) serveDM(s network.Stream) {
	from := s.Conn().RemotePeer()
	var err error
	defer func() {
		if err != nil {
			n.log.Debug("dm stream reset", "peer", from, "err", err)
		}
		closeStream(s, err)
	}()
	r := bufio.NewReader(s)
	for {
		s.SetReadDeadline(time.Now().Add(streamIdle))
		var b []byte
		b, err = readFrame(r, maxDMFrame)
		if errors.Is(err, io.EOF) {
			err = nil
			return
		}
		if err != nil {
			return
		}
		var m DM
		m, err = DecodeDM(b)
		if err != nil {
			return
		}
		// The message's turn, then its bytes' turn: what it will cost
		// on disk once stored.
		if n.waitPace(n.dmPace, from, streamIdle) != nil || n.waitPaceN(n.dmBytes, from, len(b), streamIdle) != nil {
			// End cleanly rather than reset, so the acknowledgements
			// already written reach the sender, which keeps the rest.
			return
		}
		ack := dmAck{ID: m.ID, OK: true}
		if herr := n.handler.HandleDM(n.ctx, from, m); herr != nil {
			ack = dmAck{ID: m.ID, Error: "could not store the message"}
			n.log.Warn("storing an incoming message failed", "peer", from, "err", herr)
		}
		ab, _ := json.Marshal(ack)
		s.SetWriteDeadline(time.Now().Add(streamIdle))
		if err = writeFrame(s, ab); err != nil {
			return
		}
		if !ack.OK {
			err = errors.New("handler failed")
			return
		}
	}
}
