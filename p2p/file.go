package p2p

import (
	"bufio"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"
	"unsafe"

	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
)

// ProtoFile serves file manifests and chunks.
const ProtoFile = "/hallway/file/1.0.0"

// File protocol limits.
const (
	maxFileRequest  = 64 << 10
	maxFileStatus   = 4 << 10
	maxManifest     = 4 << 20
	maxChunkBytes   = 16 << 20
	maxChunkRanges  = 64
	maxChunksPerReq = 256
	chunkHeader     = 4 // big-endian chunk index before the data
)

// File request operations.
const (
	FileOpManifest = "manifest" // the manifest bytes
	FileOpHave     = "have"     // whether the peer can serve the content
	FileOpChunks   = "chunks"   // a run of chunks
)

// FileRequest asks a peer for content by manifest hash. For a file offered
// in a room, Room and Proof show the requester holds the room key.
type FileRequest struct {
	Hash   string       `json:"hash"`
	Op     string       `json:"op"`
	Chunks []ChunkRange `json:"chunks,omitempty"`
	Room   string       `json:"room,omitempty"`
	Proof  []byte       `json:"proof,omitempty"`
}

// ChunkRange is the half-open range [From, To) of global chunk indices.
type ChunkRange struct {
	From int `json:"from"`
	To   int `json:"to"`
}

type fileStatus struct {
	OK    bool   `json:"ok"`
	Error string `json:"error,omitempty"`
}

// FileSource is content a peer may fetch.
type FileSource interface {
	Manifest() []byte
	ChunkCount() int
	// ChunkSize is the length of the largest chunk, at most 16 MiB: what
	// a buffer serving this content needs.
	ChunkSize() int
	// ReadChunk reads chunk i into buf (at least ChunkSize bytes) and
	// returns its length.
	ReadChunk(i int, buf []byte) (int, error)
	Close() error
}

// FileServer decides who may fetch what; core implements it.
type FileServer interface {
	OpenFile(ctx context.Context, from peer.ID, req FileRequest) (FileSource, error)
}

// DecodeFileRequest parses and bounds a request.
func DecodeFileRequest(b []byte) (FileRequest, error) {
	var r FileRequest
	if err := json.Unmarshal(b, &r); err != nil {
		return r, fmt.Errorf("%w: file request: %v", ErrBadFrame, err)
	}
	if len(r.Hash) != 64 || len(r.Room) > 64 || len(r.Proof) > 64 || len(r.Chunks) > maxChunkRanges {
		return r, fmt.Errorf("%w: file request: bad fields", ErrBadFrame)
	}
	switch r.Op {
	case FileOpManifest, FileOpHave, FileOpBulk:
	case FileOpChunks:
		n := 0
		for _, c := range r.Chunks {
			if c.From < 0 || c.To <= c.From {
				return r, fmt.Errorf("%w: file request: bad range", ErrBadFrame)
			}
			n += c.To - c.From
			if n > maxChunksPerReq {
				return r, fmt.Errorf("%w: file request: too many chunks", ErrBadFrame)
			}
		}
	default:
		return r, fmt.Errorf("%w: file request: unknown op", ErrBadFrame)
	}
	return r, nil
}

// SetFileServer starts serving files.
func (n *Node) SetFileServer(fs FileServer) {
	n.handle(ProtoFile, func(s network.Stream) {
		from := s.Conn().RemotePeer()
		var err error
		defer func() { closeStream(s, err) }()
		s.SetReadDeadline(time.Now().Add(10 * time.Second))
		var b []byte
		if b, err = readFrame(bufio.NewReader(s), maxFileRequest); err != nil {
			return
		}
		var req FileRequest
		if req, err = DecodeFileRequest(b); err != nil {
			return
		}
		src, oerr := fs.OpenFile(n.ctx, from, req)
		if oerr != nil {
			st, _ := json.Marshal(fileStatus{Error: oerr.Error()})
			err = writeFrame(s, st)
			return
		}
		if req.Op == FileOpBulk {
			err = n.offerBulk(s, src)
			return
		}
		defer src.Close()
		s.SetWriteDeadline(time.Now().Add(streamIdle))
		var buf []byte
		if req.Op == FileOpChunks {
			// The buffer is the chunk's size, and counted by the resource
			// manager: many requests at once find the limit, not the
			// end of memory.
			var release func()
			var berr error
			buf, release, berr = reserveBuffer(s.Scope(), serveFrameRoom+src.ChunkSize(), src.ChunkSize())
			if berr != nil {
				n.log.Debug("file request refused", "peer", from, "err", berr)
				st, _ := json.Marshal(fileStatus{Error: ErrServerBusy.Error()})
				err = writeFrame(s, st)
				return
			}
			defer release()
		}
		st, _ := json.Marshal(fileStatus{OK: true})
		if err = writeFrame(s, st); err != nil {
			return
		}
		switch req.Op {
		case FileOpManifest:
			err = writeFrame(s, src.Manifest())
		case FileOpChunks:
			err = serveChunks(s, src, req.Chunks, buf)
		}
	})
}

// serveFrameRoom is what a chunk frame adds to the chunk: the longest
// length prefix and the chunk index.
const serveFrameRoom = binary.MaxVarintLen64 + chunkHeader

// serveChunks sends each requested chunk as one frame, read from disk
// straight into buf (serveFrameRoom plus the source's chunk size) after
// its header: no copy in between.
func serveChunks(s network.Stream, src FileSource, ranges []ChunkRange, buf []byte) error {
	const lenRoom = binary.MaxVarintLen64
	for _, r := range ranges {
		for i := r.From; i < r.To; i++ {
			if i >= src.ChunkCount() {
				return fmt.Errorf("chunk %d out of range", i)
			}
			body := buf[lenRoom+chunkHeader:]
			n, err := src.ReadChunk(i, body)
			if err != nil {
				return err
			}
			binary.BigEndian.PutUint32(buf[lenRoom:], uint32(i))
			var v [binary.MaxVarintLen64]byte
			vl := binary.PutUvarint(v[:], uint64(chunkHeader+n))
			start := lenRoom - vl
			copy(buf[start:], v[:vl])
			s.SetWriteDeadline(time.Now().Add(streamIdle))
			if _, err := s.Write(buf[start : lenRoom+chunkHeader+n]); err != nil {
				return err
			}
		}
	}
	return nil
}

// ErrFileUnavailable: the peer does not have, or will not serve, the content.
var ErrFileUnavailable = errors.New("the colleague cannot provide this file now")

// ErrServerBusy: the source serves as much as its memory limits allow;
// the request is refused, and asking again later works.
var ErrServerBusy = errors.New("busy serving other downloads; try again")

func (n *Node) fileStream(ctx context.Context, from peer.ID, req FileRequest) (network.Stream, *bufio.Reader, error) {
	b, err := json.Marshal(req)
	if err != nil {
		return nil, nil, err
	}
	s, err := n.host.NewStream(network.WithNoDial(ctx, "file"), from, ProtoFile)
	if err != nil {
		return nil, nil, fmt.Errorf("p2p: open file stream: %w", err)
	}
	s.SetDeadline(time.Now().Add(streamIdle))
	if err := writeFrame(s, b); err != nil {
		s.Reset()
		return nil, nil, err
	}
	s.CloseWrite()
	r := bufio.NewReaderSize(s, 256<<10)
	st, err := readFrame(r, maxFileStatus)
	if err != nil {
		s.Reset()
		return nil, nil, fmt.Errorf("p2p: file status: %w", err)
	}
	var status fileStatus
	if err := json.Unmarshal(st, &status); err != nil || !status.OK {
		s.Reset()
		return nil, nil, fmt.Errorf("%w: %s", ErrFileUnavailable, status.Error)
	}
	return s, r, nil
}

// FetchManifest gets the manifest of content hash from a peer.
func (n *Node) FetchManifest(ctx context.Context, from peer.ID, req FileRequest) ([]byte, error) {
	req.Op = FileOpManifest
	s, r, err := n.fileStream(ctx, from, req)
	if err != nil {
		return nil, err
	}
	defer s.Close()
	return readFrame(r, maxManifest)
}

// HasFile asks whether a peer can serve content.
func (n *Node) HasFile(ctx context.Context, from peer.ID, req FileRequest) error {
	req.Op = FileOpHave
	s, _, err := n.fileStream(ctx, from, req)
	if err != nil {
		return err
	}
	return s.Close()
}

// FetchChunks asks a peer for runs of chunks and passes each to each, in
// order; data is only valid during the call.
func (n *Node) FetchChunks(ctx context.Context, from peer.ID, req FileRequest, each func(index int, data []byte) error) (err error) {
	req.Op = FileOpChunks
	s, r, err := n.fileStream(ctx, from, req)
	if err != nil {
		return err
	}
	defer func() { closeStream(s, err) }()
	var data []byte // grown to the chunks' size, not the largest possible
	want := 0
	for _, c := range req.Chunks {
		want += c.To - c.From
	}
	var hdr [chunkHeader]byte
	for range want {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		s.SetReadDeadline(time.Now().Add(streamIdle))
		size, err := binaryFrameLen(r, chunkHeader+maxChunkBytes)
		if err != nil {
			return err
		}
		if size < chunkHeader {
			return fmt.Errorf("%w: short chunk frame", ErrBadFrame)
		}
		// The data lands on an aligned address, so the receiver can write
		// it to disk directly (O_DIRECT) without another copy.
		if _, err := io.ReadFull(r, hdr[:]); err != nil {
			return fmt.Errorf("%w: truncated chunk: %v", ErrBadFrame, err)
		}
		if len(data) < size-chunkHeader {
			data = alignedTail(make([]byte, size-chunkHeader+dataAlign), dataAlign)
		}
		body := data[:size-chunkHeader]
		if _, err := io.ReadFull(r, body); err != nil {
			return fmt.Errorf("%w: truncated chunk: %v", ErrBadFrame, err)
		}
		if err := each(int(binary.BigEndian.Uint32(hdr[:])), body); err != nil {
			return err
		}
	}
	return nil
}

// dataAlign is the alignment direct disk I/O asks of buffers.
const dataAlign = 4096

// alignedTail returns the part of b that starts at an address aligned to n.
func alignedTail(b []byte, n int) []byte {
	off := int(uintptr(unsafe.Pointer(unsafe.SliceData(b))) % uintptr(n))
	if off == 0 {
		return b
	}
	return b[n-off:]
}

// binaryFrameLen reads a frame length without allocating the body.
func binaryFrameLen(r *bufio.Reader, max int) (int, error) {
	n, err := binary.ReadUvarint(r)
	if err != nil {
		return 0, fmt.Errorf("%w: chunk length: %v", ErrBadFrame, err)
	}
	if n > uint64(max) {
		return 0, fmt.Errorf("%w: chunk of %d bytes", ErrFrameTooLarge, n)
	}
	return int(n), nil
}
