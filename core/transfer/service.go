package transfer

import (
	"context"
	"log/slog"
	"math"
	"strings"
	"sync"
	"time"

	"hallway/chat"
	"hallway/files"
	"hallway/p2p"

	"github.com/libp2p/go-libp2p/core/peer"
)

// Config is the file-transfer policy of a node.
type Config struct {
	// Downloads is where received files go; the caller sets the default.
	Downloads string
	Policy    files.Policy
	// AutoAcceptMax accepts offers up to this size without asking; 0 = off.
	AutoAcceptMax int64
	// NoBulkLane keeps every chunk on libp2p streams: no extra TCP port is
	// offered or dialled (see docs/FILES.md, "Bulk lane"). Slower.
	NoBulkLane bool
	// ShareFor is how long a file offered in a room, or downloaded from
	// one, is served to its members; 0 is DefaultShareFor.
	ShareFor time.Duration
}

// Service offers, accepts, downloads and serves files.
type Service struct {
	cfg   Config
	log   *slog.Logger
	store Store
	net   Net
	bus   Publisher
	spawn Spawner
	peers Peers
	rooms Rooms
	post  Poster
	ws    Workspace

	progress progress
	dls      *downloads
	server   *server
	noLane   sync.Map // peer → time until which its bulk lane is not tried
	relayed  sync.Map // transfer id → true once its chunks went through a relay
	noDirect sync.Map // peer → time until which a direct dial for a file is not tried again
	// acceptMu makes checking free space and reserving it for a download
	// one step, so concurrent accepts cannot share the same free bytes.
	acceptMu  sync.Mutex
	now       func() time.Time                 // the clock shares expire by; tests set it
	freeSpace func(dir string) (uint64, error) // of a downloads folder; tests set it
}

// New builds the service; Run retries paused downloads.
func New(cfg Config, deps Deps) *Service {
	if deps.Log == nil {
		deps.Log = slog.New(slog.DiscardHandler)
	}
	s := &Service{
		cfg: cfg, log: deps.Log, store: deps.Store, net: deps.Net, bus: deps.Bus, spawn: deps.Spawn,
		peers: deps.Peers, rooms: deps.Rooms, post: deps.Post, ws: deps.Workspace, now: time.Now, freeSpace: freeSpace,
	}
	s.dls = newDownloads(deps.Spawn, s.download, s.progress.forget)
	s.server = &server{s: s}
	return s
}

// FileServer is what the network asks before serving content: it decides
// who may fetch what, and paces each peer's requests.
func (s *Service) FileServer() p2p.FileServer { return newPacedFiles(s.server) }

// retryPaused is the safety net under the reconnect-triggered resumes.
const retryPaused = 10 * time.Second

// Run retries paused downloads periodically until ctx ends, so one waiting
// for a room member who has the file resumes when any such member is back.
func (s *Service) Run(ctx context.Context) error {
	t := time.NewTicker(retryPaused)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
			s.Resume(ctx, "")
		}
	}
}

// Resume restarts the active downloads that can fetch from from (every
// one when from is empty).
func (s *Service) Resume(ctx context.Context, from peer.ID) {
	ts, err := s.store.UnfinishedDownloads(ctx)
	if err != nil {
		if ctx.Err() == nil {
			s.log.Warn("resume downloads", "err", err)
		}
		return
	}
	for _, t := range ts {
		if from == "" || t.Peer == from.String() || chat.IsRoomConv(t.Conv) {
			s.dls.start(t.ID)
		}
	}
}

// filePolicy is what this node accepts: its own rules under the
// workspace policy's, the stricter winning on each point.
func (s *Service) filePolicy() files.Policy {
	if s.ws == nil {
		return s.cfg.Policy
	}
	return s.ws.WorkspacePolicy().FilePolicy(s.cfg.Policy)
}

// autoAcceptMax is the size accepted without asking, within the
// workspace policy's ceiling.
func (s *Service) autoAcceptMax() int64 {
	if s.ws == nil {
		return s.cfg.AutoAcceptMax
	}
	return s.ws.WorkspacePolicy().AutoAcceptMax(s.cfg.AutoAcceptMax)
}

// sendable reports why the workspace policy refuses to let m go out, nil
// when it allows it.
func (s *Service) sendable(m *files.Manifest) error {
	if s.ws == nil {
		return nil
	}
	doc := s.ws.WorkspacePolicy()
	if doc.Files.Disabled {
		return chat.UserErrorf("the workspace policy turns file transfer off (hallway policy show)")
	}
	if err := doc.FilePolicy(files.Policy{}).Check(m, math.MaxUint64); err != nil {
		why := strings.TrimSuffix(err.Error(), ": "+files.ErrRefused.Error())
		return chat.UserErrorf("the workspace policy refuses it: %s (hallway policy show)", why)
	}
	return nil
}
