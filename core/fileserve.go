package core

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"

	"hallway/chat"
	"hallway/files"
	"hallway/p2p"
	"hallway/storage"

	"github.com/libp2p/go-libp2p/core/peer"
)

var errNotServable = errors.New("not available here")

// OpenFile decides whether from may fetch content: the colleague a file
// was offered to, or, for a room file, any peer proving it holds the room
// key. A complete download of a room file is served too, so many members
// share the load and the file outlives the uploader's presence.
func (h *handler) OpenFile(ctx context.Context, from peer.ID, req p2p.FileRequest) (p2p.FileSource, error) {
	s := h.svc()
	t, ok, err := s.store.Servable(ctx, req.Hash)
	if err != nil || !ok {
		return nil, errNotServable
	}
	switch room, isRoom := chat.RoomOf(t.Conv); {
	case isRoom:
		if req.Room != room ||
			!s.rooms.Joined().CheckProof(room, fileProofLabel(req.Hash), from, s.node.ID(), req.Proof) {
			return nil, errNotServable
		}
	case t.Direction == storage.TransferOut && t.Peer == from.String():
	default:
		return nil, errNotServable
	}
	if t.State == storage.TransferCancelled || t.State == storage.TransferDeclined {
		return nil, errNotServable
	}
	m, err := s.manifest(t)
	if err != nil {
		return nil, errNotServable
	}
	src := &fileSource{m: m, raw: t.Manifest, base: t.SourcePath, open: map[int]*os.File{}}
	if t.Direction == storage.TransferIn {
		src.base = t.FinalPath // received content is stored under its manifest paths
	} else if m.Folder {
		if src.local, err = s.localPaths(ctx, t); err != nil {
			return nil, errNotServable
		}
	}
	return src, nil
}

// manifest parses a served transfer's manifest once: a download asks for
// many chunk windows, each opening the content anew, and a large folder's
// manifest is megabytes. Content is addressed by its hash, so the parsed
// form never goes stale.
func (s *Service) manifest(t storage.Transfer) (*files.Manifest, error) {
	if v, ok := s.manifests.Load(t.ManifestHash); ok {
		return v.(*files.Manifest), nil
	}
	m, err := files.UnmarshalManifest(t.Manifest)
	if err != nil {
		return nil, err
	}
	s.manifests.Store(t.ManifestHash, m)
	return m, nil
}

// localPaths maps a shared folder's manifest paths to its files, once per
// transfer: a download asks for many windows, each on a new stream.
func (s *Service) localPaths(ctx context.Context, t storage.Transfer) (map[string]string, error) {
	if v, ok := s.sharedPaths.Load(t.ID); ok {
		return v.(map[string]string), nil
	}
	paths, err := files.LocalPaths(ctx, t.SourcePath)
	if err != nil {
		return nil, err
	}
	s.sharedPaths.Store(t.ID, paths)
	return paths, nil
}

// fileSource reads chunks of local content.
type fileSource struct {
	m     *files.Manifest
	raw   []byte
	base  string            // the file itself, or the folder holding the entries
	local map[string]string // a shared folder: manifest path → file on disk
	mu    sync.Mutex
	open  map[int]*os.File
}

func (f *fileSource) Manifest() []byte { return f.raw }
func (f *fileSource) ChunkCount() int  { return f.m.ChunkCount() }

func (f *fileSource) ReadChunk(i int, buf []byte) (int, error) {
	e, off, n := f.m.Chunk(i)
	if int64(len(buf)) < n {
		return 0, fmt.Errorf("chunk %d larger than the buffer", i)
	}
	file, err := f.file(e)
	if err != nil {
		return 0, err
	}
	if _, err := file.ReadAt(buf[:n], off); err != nil {
		return 0, fmt.Errorf("read chunk %d: %w", i, err)
	}
	return int(n), nil
}

func (f *fileSource) file(e int) (*os.File, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if h, ok := f.open[e]; ok {
		return h, nil
	}
	p := f.base
	if f.m.Folder {
		p = filepath.Join(f.base, filepath.FromSlash(f.m.Entries[e].Path))
		if local, ok := f.local[f.m.Entries[e].Path]; ok {
			p = local
		}
	}
	h, err := os.Open(p)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", p, err)
	}
	f.open[e] = h
	return h, nil
}

func (f *fileSource) Close() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, h := range f.open {
		h.Close()
	}
	return nil
}
