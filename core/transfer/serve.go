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

// refusal is why content that the requester may fetch is not served: the
// share ended, was withdrawn or changed. It tells the requester, and is
// errNotServable to the code.
type refusal string

func (r refusal) Error() string        { return string(r) }
func (r refusal) Is(target error) bool { return target == errNotServable }

// server decides who may fetch what, and reads the content it serves.
type server struct {
	s *Service

	sharedPaths sync.Map // transfer id → manifest path → local file
	manifests   sync.Map // manifest hash → parsed manifest of served content
	guards      sync.Map // transfer id → *guard of its sources
	live        sync.Map // transfer id → set of peers present at a live-only offer
}

// OpenFile decides whether from may fetch content: the colleague a file
// was offered to, or, for a room file, any peer proving it holds the room
// key. A complete download of a room file is served too, so many members
// share the load and the file outlives the uploader's presence. Content
// is served only while shared (not expired, withdrawn or changed), and
// then only chunks that match the manifest.
func (sv *server) OpenFile(ctx context.Context, from peer.ID, req p2p.FileRequest) (p2p.FileSource, error) {
	copies, err := sv.s.store.Servable(ctx, req.Hash)
	if err != nil {
		return nil, errNotServable
	}
	var refused error
	for _, t := range copies {
		if !sv.allowed(t, from, req) {
			continue
		}
		if err := sv.s.sharing(t, from); err != nil {
			refused = cmpErr(refused, err)
			continue
		}
		src, err := sv.source(ctx, t)
		if err != nil {
			refused = cmpErr(refused, err)
			continue
		}
		return src, nil
	}
	if refused != nil {
		return nil, refused
	}
	return nil, errNotServable
}

// allowed says whether from may fetch t's content at all.
func (sv *server) allowed(t storage.Transfer, from peer.ID, req p2p.FileRequest) bool {
	if t.State == storage.TransferCancelled || t.State == storage.TransferDeclined {
		return false
	}
	if room, isRoom := chat.RoomOf(t.Conv); isRoom {
		return req.Room == room && sv.s.rooms.CheckProof(room, fileProofLabel(req.Hash), from, sv.s.net.ID(), req.Proof)
	}
	return t.Direction == storage.TransferOut && t.Peer == from.String()
}

// source opens t's content for reading, confined to where it was offered
// from or downloaded to.
func (sv *server) source(ctx context.Context, t storage.Transfer) (*fileSource, error) {
	m, err := sv.manifest(t)
	if err != nil {
		return nil, errNotServable
	}
	base, local := t.SourcePath, map[string]string(nil)
	if t.Direction == storage.TransferIn {
		base = t.FinalPath // received content is stored under its manifest paths
	} else if m.Folder {
		if local, err = sv.localPaths(ctx, t); err != nil {
			return nil, sv.failed(t, "", err)
		}
	}
	sh, err := files.OpenShared(base, m, local)
	if err != nil {
		return nil, sv.failed(t, "", err)
	}
	return &fileSource{
		m: m, raw: t.Manifest, shared: sh, guard: sv.guard(t.ID), until: sv.s.serveUntil(t), now: sv.s.now,
		failed: func(path string, err error) error { return sv.failed(t, path, err) }, open: map[int]*os.File{},
	}, nil
}

// manifest parses a served transfer's manifest once: a download asks for
// many chunk windows, each opening the content anew, and a large folder's
// manifest is megabytes. Content is addressed by its hash, so the parsed
// form never goes stale.
func (sv *server) manifest(t storage.Transfer) (*files.Manifest, error) {
	if v, ok := sv.manifests.Load(t.ManifestHash); ok {
		return v.(*files.Manifest), nil
	}
	m, err := files.UnmarshalManifest(t.Manifest)
	if err != nil {
		return nil, err
	}
	sv.manifests.Store(t.ManifestHash, m)
	return m, nil
}

// localPaths maps a shared folder's manifest paths to its files, once per
// transfer: a download asks for many windows, each on a new stream.
func (sv *server) localPaths(ctx context.Context, t storage.Transfer) (map[string]string, error) {
	if v, ok := sv.sharedPaths.Load(t.ID); ok {
		return v.(map[string]string), nil
	}
	paths, err := files.LocalPaths(ctx, t.SourcePath)
	if err != nil {
		return nil, err
	}
	sv.sharedPaths.Store(t.ID, paths)
	return paths, nil
}

var _ p2p.FileServer = (*server)(nil)
