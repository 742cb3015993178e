package transfer

import (
	"context"
	"errors"
	"os"
	"sync"

	"hallway/chat"
	"hallway/files"
	"hallway/p2p"
	"hallway/storage"

	"github.com/libp2p/go-libp2p/core/peer"
)

var errNotServable = errors.New("not available here")

// server decides who may fetch what, and reads the content it serves.
type server struct {
	store Store
	net   Net
	rooms Rooms

	sharedPaths sync.Map // transfer id → manifest path → local file
	manifests   sync.Map // manifest hash → parsed manifest of served content
}

// OpenFile decides whether from may fetch content: the colleague a file
// was offered to, or, for a room file, any peer proving it holds the room
// key. A complete download of a room file is served too, so many members
// share the load and the file outlives the uploader's presence.
func (s *server) OpenFile(ctx context.Context, from peer.ID, req p2p.FileRequest) (p2p.FileSource, error) {
	t, ok, err := s.store.Servable(ctx, req.Hash)
	if err != nil || !ok {
		return nil, errNotServable
	}
	switch room, isRoom := chat.RoomOf(t.Conv); {
	case isRoom:
		if req.Room != room ||
			!s.rooms.CheckProof(room, fileProofLabel(req.Hash), from, s.net.ID(), req.Proof) {
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
func (s *server) manifest(t storage.Transfer) (*files.Manifest, error) {
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
func (s *server) localPaths(ctx context.Context, t storage.Transfer) (map[string]string, error) {
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

var _ p2p.FileServer = (*server)(nil)
