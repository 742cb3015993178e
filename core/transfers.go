package core

import (
	"context"
	"fmt"
	"sync"
	"time"

	"hallway/chat"
	"hallway/files"
	"hallway/storage"
)

// FilesConfig is the file-transfer policy of a node.
type FilesConfig struct {
	// Downloads is where received files go; default ~/Downloads/Hallway.
	Downloads string
	Policy    files.Policy
	// AutoAcceptMax accepts offers up to this size without asking; 0 = off.
	AutoAcceptMax int64
	// NoBulkLane keeps every chunk on libp2p streams: no extra TCP port is
	// offered or dialled (see docs/FILES.md, "Bulk lane"). Slower.
	NoBulkLane bool
}

// progress tracks bytes and rate of running transfers in memory, and
// coalesces progress events.
type progress struct {
	mu   sync.Mutex
	runs map[string]*run
}

type run struct {
	done      int64
	rateStart time.Time
	rateBytes int64
	rate      float64
	lastEvent time.Time
}

func (p *progress) get(id string) (int64, float64, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	r, ok := p.runs[id]
	if !ok {
		return 0, 0, false
	}
	return r.done, r.rate, true
}

// add records n more bytes and reports whether an event is due.
func (p *progress) add(id string, done int64) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.runs == nil {
		p.runs = map[string]*run{}
	}
	r, ok := p.runs[id]
	now := time.Now()
	if !ok {
		r = &run{rateStart: now, rateBytes: done}
		p.runs[id] = r
	}
	r.done = done
	if el := now.Sub(r.rateStart); el >= 500*time.Millisecond {
		r.rate = float64(done-r.rateBytes) / el.Seconds()
		r.rateStart, r.rateBytes = now, done
	}
	if now.Sub(r.lastEvent) < 100*time.Millisecond {
		return false
	}
	r.lastEvent = now
	return true
}

func (p *progress) forget(id string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.runs, id)
}

func (s *Service) toTransfer(ctx context.Context, t storage.Transfer) chat.Transfer {
	out := chat.Transfer{
		ID: t.ID, Name: t.Name, Folder: t.Folder, Files: t.Files, Size: t.Size, BytesDone: t.BytesDone,
		State: t.State, Peer: t.Peer, Direction: t.Direction, Conversation: t.Conv, Error: t.Error, Hash: t.ManifestHash,
	}
	if t.FinalPath != "" {
		out.FinalPath = t.FinalPath
	}
	if done, rate, ok := s.progress.get(t.ID); ok {
		out.BytesDone, out.Rate = max(done, out.BytesDone), rate
	}
	if id, err := decodePeer(t.Peer); err == nil && id != s.node.ID() {
		out.PeerName = s.colleague(ctx, id).Name
	}
	return out
}

// Transfers lists transfers, newest first.
func (s *Service) Transfers(ctx context.Context) ([]chat.Transfer, error) {
	rows, err := s.store.Transfers(ctx)
	if err != nil {
		return nil, fmt.Errorf("list transfers: %w", err)
	}
	out := make([]chat.Transfer, 0, len(rows))
	for _, t := range rows {
		out = append(out, s.toTransfer(ctx, t))
	}
	return out, nil
}

func (s *Service) publishTransfer(ctx context.Context, id string) {
	if t, err := s.store.Transfer(ctx, id); err == nil {
		s.bus.publish(chat.TransferChanged{Transfer: s.toTransfer(ctx, t)})
	}
}

func (s *Service) setTransferState(ctx context.Context, id, state, reason string) error {
	if err := s.store.UpdateTransfer(ctx, id, storage.TransferUpdate{State: &state, Error: &reason}); err != nil {
		return fmt.Errorf("update transfer: %w", err)
	}
	s.publishTransfer(ctx, id)
	return nil
}
