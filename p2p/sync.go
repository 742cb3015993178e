package p2p

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
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
)

// SyncRequest asks for what the requester is missing in some rooms.
type SyncRequest struct {
	Rooms []SyncRoom `json:"rooms"`
}

// SyncRoom is one room of a request: the requester proves it holds the
// room key, and says, per author, up to which sequence number it has
// everything (its version vector).
type SyncRoom struct {
	ID    string            `json:"id"`
	Proof []byte            `json:"proof"`
	Have  map[string]uint64 `json:"have"`
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
		if len(room.Proof) > maxSyncProof || len(room.Have) > maxSyncAuthors {
			return SyncRequest{}, fmt.Errorf("%w: sync request: bad room entry", ErrBadFrame)
		}
		if !chat.ValidRoomID(room.ID) {
			return SyncRequest{}, fmt.Errorf("%w: sync request: a room id of %d bytes that is not one Hallway makes", ErrBadFrame, len(room.ID))
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
		err = s.ServeSync(n.ctx, from, req, func(raw []byte) error {
			st.SetWriteDeadline(time.Now().Add(streamIdle))
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
