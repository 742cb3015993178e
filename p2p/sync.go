package p2p

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
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

// ProtoSync pulls room messages a peer is missing. The responder first
// sends a fresh challenge (SyncChallengeBytes random bytes); the requester
// answers with its request, whose per-epoch proofs bind that challenge, so
// a proof is good for one stream only.
const ProtoSync = "/hallway/sync/2.0.0"

// SyncChallengeBytes is the size of the responder's challenge.
const SyncChallengeBytes = 32

// Sync limits.
const (
	maxSyncRequest = 1 << 20
	// MaxSyncRooms is the most rooms one request may name; a requester
	// in more rooms asks in batches.
	MaxSyncRooms   = 256
	maxSyncAuthors = MaxSyncAuthors
	syncProofLen   = 32
	// MaxSyncEpochs bounds the epoch proofs of one room in a request
	// (epochs times the keys kept for each); a member of a room re-keyed
	// more often proves its newest epochs.
	MaxSyncEpochs = 64
	// maxSyncEpoch is the largest epoch number a request may name
	// (crypto.MaxEpoch).
	maxSyncEpoch         = 1 << 40
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

// SyncRoom is one room of a request: the requester proves, per epoch,
// that it holds the epoch's key (it is served only the envelopes of the
// epochs it proves), and says, per author, up to which sequence number it has
// everything (its version vector), and which it holds above that (Held,
// per author; see HeldBitmap), so that an author's hole is not answered
// with what the requester already holds, round after round. A peer that
// does not know Held sends those again, which is only wasteful.
//
// With Receipts asked for, ReceiptsAt names, per member, the clock of the
// member's receipt the requester holds: only newer ones are sent. A peer
// that does not know it sends every receipt it keeps, which is only
// wasteful.
type SyncRoom struct {
	ID         string            `json:"id"`
	Epochs     []SyncEpoch       `json:"epochs"`
	Have       map[string]uint64 `json:"have"`
	Held       map[string][]byte `json:"held,omitempty"`
	ReceiptsAt map[string]int64  `json:"receipts_at,omitempty"`
}

// SyncEpoch proves that the requester holds a key of one epoch of the
// room: an HMAC under the key over the room, the epoch, both peers and the
// responder's challenge (crypto.RoomKey.EpochProof). An epoch with two
// keys (a concurrent re-key) may come twice, once per key.
type SyncEpoch struct {
	Epoch uint64 `json:"epoch"`
	Proof []byte `json:"proof"`
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

// SyncServer answers sync requests; core implements it. challenge is the
// one this stream sent, which the proofs must bind; send writes one
// envelope to the requester.
type SyncServer interface {
	ServeSync(ctx context.Context, from peer.ID, challenge []byte, req SyncRequest, send func(raw []byte) error) error
}

// DecodeSyncChallenge checks a responder's challenge frame.
func DecodeSyncChallenge(b []byte) ([]byte, error) {
	if len(b) != SyncChallengeBytes {
		return nil, fmt.Errorf("%w: sync challenge of %d bytes, want %d", ErrBadFrame, len(b), SyncChallengeBytes)
	}
	if bytes.Equal(b, make([]byte, SyncChallengeBytes)) {
		return nil, fmt.Errorf("%w: an all-zero sync challenge", ErrBadFrame)
	}
	return bytes.Clone(b), nil
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
		if len(room.Epochs) > MaxSyncEpochs || len(room.Have) > maxSyncAuthors || len(room.Held) > maxSyncAuthors ||
			len(room.ReceiptsAt) > maxSyncAuthors {
			return SyncRequest{}, fmt.Errorf("%w: sync request: bad room entry", ErrBadFrame)
		}
		for _, e := range room.Epochs {
			if e.Epoch > maxSyncEpoch || len(e.Proof) != syncProofLen {
				return SyncRequest{}, fmt.Errorf("%w: sync request: a bad epoch proof", ErrBadFrame)
			}
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
	n.handle(ProtoSync, func(st network.Stream) {
		from := st.Conn().RemotePeer()
		var err error
		defer func() { closeStream(st, err) }()
		st.SetDeadline(time.Now().Add(10 * time.Second))
		challenge := make([]byte, SyncChallengeBytes)
		if _, err = rand.Read(challenge); err != nil {
			return
		}
		if err = writeFrame(st, challenge); err != nil {
			return
		}
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
		w := syncWriters.Get().(*bufio.Writer)
		w.Reset(st)
		defer putSyncWriter(w)
		n.syncAnswers.Add(1)
		err = s.ServeSync(n.ctx, from, challenge, req, func(raw []byte) error {
			st.SetWriteDeadline(time.Now().Add(streamIdle))
			n.syncServed.Add(1)
			return writeFrame(w, raw)
		})
		if err == nil {
			err = w.Flush()
		}
	})
}

// Sync asks a connected peer for what we miss: build makes the request
// for the peer's challenge; each envelope it sends is passed to each, in
// the order served. It returns when the peer has sent everything it will.
func (n *Node) Sync(ctx context.Context, to peer.ID, build func(challenge []byte) SyncRequest, each func(raw []byte) error) (err error) {
	s, err := n.host.NewStream(network.WithNoDial(ctx, "sync"), to, ProtoSync)
	if err != nil {
		return fmt.Errorf("p2p: open sync stream: %w", err)
	}
	defer func() { closeStream(s, err) }()
	s.SetDeadline(time.Now().Add(10 * time.Second))
	r := syncReaders.Get().(*bufio.Reader)
	r.Reset(s)
	defer putSyncReader(r)
	var frame, challenge []byte
	if frame, err = readFrame(r, SyncChallengeBytes); err != nil {
		return fmt.Errorf("p2p: sync challenge: %w", err)
	}
	if challenge, err = DecodeSyncChallenge(frame); err != nil {
		return err
	}
	req := build(challenge)
	b, err := json.Marshal(req)
	if err != nil {
		return err
	}
	if len(b) > maxSyncRequest || len(req.Rooms) > MaxSyncRooms {
		return fmt.Errorf("p2p: sync request of %d bytes and %d rooms is too large", len(b), len(req.Rooms))
	}
	if err = writeFrame(s, b); err != nil {
		return fmt.Errorf("p2p: send sync request: %w", err)
	}
	if err = s.CloseWrite(); err != nil {
		return err
	}
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
