package p2p

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"time"

	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
)

// ProtoSync pulls room messages a peer is missing.
const ProtoSync = "/hallway/sync/1.0.0"

// Sync limits.
const (
	maxSyncRequest       = 1 << 20
	maxSyncRooms         = 256
	maxSyncAuthors       = 4096
	maxSyncProof         = 64
	syncEnvelopeFrameCap = 96 << 10
	// MaxSyncBatch is how many envelopes a peer serves per room and
	// request; a requester that gets this many asks again.
	MaxSyncBatch = 2000
	// SyncSeqWindow is how far above a requester's head, per author, a
	// sync answer reaches: a member refuses an envelope numbered further
	// ahead of what it holds (an author jumping a million ahead), so a
	// server sends none, and the held bitmap of a request spans it.
	SyncSeqWindow = 10_000
	// MaxSyncHeldRoom caps the held bitmaps of one room of a request.
	MaxSyncHeldRoom  = 16 << 10
	maxSyncHeldBytes = (SyncSeqWindow + 7) / 8
)

// SyncRequest asks for what the requester is missing in some rooms.
type SyncRequest struct {
	Rooms []SyncRoom `json:"rooms"`
}

// SyncRoom is one room of a request: the requester proves it holds the
// room key, and says, per author, up to which sequence number it has
// everything (its version vector), and which it holds above that (Held,
// a bitmap per author; see HeldBitmap), so that an author's hole is not
// answered with what the requester already holds, round after round. A
// peer that does not know Held sends those again, which is only wasteful.
type SyncRoom struct {
	ID    string            `json:"id"`
	Proof []byte            `json:"proof"`
	Have  map[string]uint64 `json:"have"`
	Held  map[string][]byte `json:"held,omitempty"`
}

// HeldBitmap encodes the seqs held above head, as far as SyncSeqWindow:
// bit i (byte i/8, least significant bit first) is seq head+1+i. It is
// cut after its last set byte; nil when none is held.
func HeldBitmap(head uint64, seqs []uint64) []byte {
	var b []byte
	for _, q := range seqs {
		if q <= head || q-head > SyncSeqWindow {
			continue
		}
		i := q - head - 1
		for uint64(len(b)) <= i/8 {
			b = append(b, 0)
		}
		b[i/8] |= 1 << (i % 8)
	}
	return b
}

// HeldSeqs decodes a bitmap of HeldBitmap, ascending; bits beyond
// SyncSeqWindow or past the largest seq are ignored.
func HeldSeqs(head uint64, bitmap []byte) []uint64 {
	var out []uint64
	for i, c := range bitmap[:min(len(bitmap), maxSyncHeldBytes)] {
		for bit := range 8 {
			off := uint64(i)*8 + uint64(bit) + 1
			if c&(1<<bit) != 0 && off <= SyncSeqWindow && head <= math.MaxUint64-off {
				out = append(out, head+off)
			}
		}
	}
	return out
}

// SyncServer answers sync requests; core implements it. send writes one
// envelope to the requester.
type SyncServer interface {
	ServeSync(ctx context.Context, from peer.ID, req SyncRequest, send func(raw []byte) error) error
}

// DecodeSyncRequest parses and bounds a request.
func DecodeSyncRequest(b []byte) (SyncRequest, error) {
	var r SyncRequest
	if err := json.Unmarshal(b, &r); err != nil {
		return SyncRequest{}, fmt.Errorf("%w: sync request: %v", ErrBadFrame, err)
	}
	if len(r.Rooms) > maxSyncRooms {
		return SyncRequest{}, fmt.Errorf("%w: sync request: %d rooms", ErrBadFrame, len(r.Rooms))
	}
	for _, room := range r.Rooms {
		if room.ID == "" || len(room.ID) > 64 || len(room.Proof) > maxSyncProof || len(room.Have) > maxSyncAuthors ||
			len(room.Held) > maxSyncAuthors {
			return SyncRequest{}, fmt.Errorf("%w: sync request: bad room entry", ErrBadFrame)
		}
		held := 0
		for _, b := range room.Held {
			if len(b) > maxSyncHeldBytes {
				return SyncRequest{}, fmt.Errorf("%w: sync request: a held bitmap of %d bytes", ErrBadFrame, len(b))
			}
			held += len(b)
		}
		if held > MaxSyncHeldRoom {
			return SyncRequest{}, fmt.Errorf("%w: sync request: %d bytes of held bitmaps for one room", ErrBadFrame, held)
		}
	}
	return r, nil
}

// SetSyncServer starts answering sync requests.
func (n *Node) SetSyncServer(s SyncServer) {
	n.host.SetStreamHandler(ProtoSync, func(st network.Stream) {
		from := st.Conn().RemotePeer()
		var err error
		defer func() { closeStream(st, err) }()
		st.SetReadDeadline(time.Now().Add(10 * time.Second))
		var b []byte
		if b, err = readFrame(bufio.NewReader(st), maxSyncRequest); err != nil {
			return
		}
		var req SyncRequest
		if req, err = DecodeSyncRequest(b); err != nil {
			return
		}
		if err = n.waitPace(n.syncPace, from, 10*time.Second); err != nil {
			return
		}
		w := bufio.NewWriterSize(st, 64<<10)
		n.syncAnswers.Add(1)
		err = s.ServeSync(n.ctx, from, req, func(raw []byte) error {
			st.SetWriteDeadline(time.Now().Add(streamIdle))
			n.syncServed.Add(1)
			return writeFrame(w, raw)
		})
		if err == nil {
			err = w.Flush()
		}
	})
}

// Sync asks a connected peer for what we miss; each envelope it sends is
// passed to each, in the order served. It returns when the peer has sent
// everything it will.
func (n *Node) Sync(ctx context.Context, to peer.ID, req SyncRequest, each func(raw []byte) error) (err error) {
	b, err := json.Marshal(req)
	if err != nil {
		return err
	}
	if len(b) > maxSyncRequest {
		return fmt.Errorf("p2p: sync request of %d bytes is too large", len(b))
	}
	s, err := n.host.NewStream(network.WithNoDial(ctx, "sync"), to, ProtoSync)
	if err != nil {
		return fmt.Errorf("p2p: open sync stream: %w", err)
	}
	defer func() { closeStream(s, err) }()
	s.SetWriteDeadline(time.Now().Add(10 * time.Second))
	if err = writeFrame(s, b); err != nil {
		return fmt.Errorf("p2p: send sync request: %w", err)
	}
	if err = s.CloseWrite(); err != nil {
		return err
	}
	r := bufio.NewReaderSize(s, 64<<10)
	for {
		s.SetReadDeadline(time.Now().Add(streamIdle))
		var raw []byte
		raw, err = readFrame(r, syncEnvelopeFrameCap)
		if errors.Is(err, io.EOF) {
			err = nil
			return nil
		}
		if err != nil {
			return fmt.Errorf("p2p: sync: %w", err)
		}
		if err = each(raw); err != nil {
			return err
		}
		if ctx.Err() != nil {
			err = ctx.Err()
			return err
		}
	}
}
