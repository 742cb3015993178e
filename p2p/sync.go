package p2p

import (
	"bufio"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"time"

	"hallway/chat"

	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
)

// ProtoSync pulls room messages a peer is missing.
const ProtoSync = "/hallway/sync/1.0.0"

// Sync limits.
const (
	maxSyncRequest = 1 << 20
	// MaxSyncRooms is the most rooms one request may name; a requester
	// in more rooms asks in batches.
	MaxSyncRooms         = 256
	maxSyncAuthors       = MaxSyncAuthors
	maxSyncProof         = 64
	syncEnvelopeFrameCap = 96 << 10
	// MaxSyncBatch is how many envelopes a peer serves per room and
	// request; a requester that gets this many asks again.
	MaxSyncBatch = 2000
	// MaxSyncAuthors bounds the version vector of one room in a request.
	MaxSyncAuthors = 4096
	// SyncSeqWindow is the span of the seqs a member holds of one author
	// above the ones it holds without a hole: a member refuses an envelope
	// that would stretch them further (an author jumping a million ahead
	// of what it posted), so a server sends none, and the held bitmap of a
	// request describes them all.
	SyncSeqWindow = 10_000
	// MaxSyncHeldRoom caps the held bitmaps of one room of a request.
	MaxSyncHeldRoom = 16 << 10
	// maxSyncHeld is the largest held bitmap: its offset (a varint) and
	// one bit per seq of the window.
	maxSyncHeld = binary.MaxVarintLen64 + (SyncSeqWindow+7)/8
)

// SyncRequest asks for what the requester is missing in some rooms.
type SyncRequest struct {
	Rooms []SyncRoom `json:"rooms"`
	// Receipts asks for the room receipts the peer keeps, after the
	// envelopes (see crypto.Receipt): frames a peer that does not set it
	// never gets.
	Receipts bool `json:"receipts,omitempty"`
}

// SyncRoom is one room of a request: the requester proves it holds the
// room key, and says, per author, up to which sequence number it has
// everything (its version vector), and which it holds above that (Held,
// per author; see HeldBitmap), so that an author's hole is not answered
// with what the requester already holds, round after round. A peer that
// does not know Held sends those again, which is only wasteful.
type SyncRoom struct {
	ID    string            `json:"id"`
	Proof []byte            `json:"proof"`
	Have  map[string]uint64 `json:"have"`
	Held  map[string][]byte `json:"held,omitempty"`
}

// HeldBitmap encodes the seqs held above head: the distance from head+1
// to the lowest of them (a uvarint), then a bitmap from that lowest seq
// on, bit i (byte i/8, least significant bit first) being seq
// lowest+i, cut after its last set byte. It spans at most SyncSeqWindow
// seqs, and is nil when none is held.
func HeldBitmap(head uint64, seqs []uint64) []byte {
	lowest, found := uint64(math.MaxUint64), false
	for _, q := range seqs {
		if q > head {
			lowest, found = min(lowest, q), true
		}
	}
	if !found {
		return nil
	}
	b := binary.AppendUvarint(nil, lowest-head-1)
	start := len(b)
	for _, q := range seqs {
		if q < lowest || q-lowest >= SyncSeqWindow {
			continue
		}
		i := int(q - lowest)
		for len(b) <= start+i/8 {
			b = append(b, 0)
		}
		b[start+i/8] |= 1 << (i % 8)
	}
	return b
}

// HeldSeqs decodes what HeldBitmap encoded, ascending; seqs that would
// pass the largest one, and bits beyond SyncSeqWindow, are ignored, as is
// a bitmap whose offset does not decode.
func HeldSeqs(head uint64, held []byte) []uint64 {
	gap, n := binary.Uvarint(held)
	if n <= 0 || head >= math.MaxUint64-gap {
		return nil
	}
	lowest := head + 1 + gap
	var out []uint64
	for i, c := range held[n:min(len(held), n+(SyncSeqWindow+7)/8)] {
		for bit := range 8 {
			off := uint64(i)*8 + uint64(bit)
			if c&(1<<bit) != 0 && off < SyncSeqWindow && lowest <= math.MaxUint64-off {
				out = append(out, lowest+off)
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
	if len(r.Rooms) > MaxSyncRooms {
		return SyncRequest{}, fmt.Errorf("%w: sync request: %d rooms", ErrBadFrame, len(r.Rooms))
	}
	for _, room := range r.Rooms {
		if len(room.Proof) > maxSyncProof || len(room.Have) > maxSyncAuthors || len(room.Held) > maxSyncAuthors {
			return SyncRequest{}, fmt.Errorf("%w: sync request: bad room entry", ErrBadFrame)
		}
		if !chat.ValidRoomID(room.ID) {
			return SyncRequest{}, fmt.Errorf("%w: sync request: a room id of %d bytes that is not one Hallway makes", ErrBadFrame, len(room.ID))
		}
		held := 0
		for _, b := range room.Held {
			if len(b) > maxSyncHeld {
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
	if len(b) > maxSyncRequest || len(req.Rooms) > MaxSyncRooms {
		return fmt.Errorf("p2p: sync request of %d bytes and %d rooms is too large", len(b), len(req.Rooms))
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
