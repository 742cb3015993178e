package discovery

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/grandcat/zeroconf"
	"github.com/libp2p/go-libp2p/core/peer"
)

// Bounds that keep a flood of announcements from costing unbounded memory
// or sink calls. Real offices have tens of peers, not hundreds.
const (
	maxSightingsPerRound = 256
	maxEntriesPerRound   = 4096
	maxOtherWorkspaces   = 1024
)

// roundFilter turns one round's browse results into sightings: it drops
// our own announcement, counts other workspaces, dedupes, and caps.
type roundFilter struct {
	self   peer.ID
	tag    string
	sink   Sink
	log    *slog.Logger
	others *idSet
	nearby *nearbyBook
	// onNearby, when set, hears the other workspaces whenever their list
	// changes.
	onNearby func([]Workspace)
	// heard, when set, notes each announcement of another Hallway.
	heard *heardLog

	entries   int
	delivered int
	dropped   int
	flooded   bool            // the round hit maxEntriesPerRound (logged once)
	seen      map[string]bool // id and addresses already delivered this round
}

// begin resets the per-round state.
func (f *roundFilter) begin() {
	f.entries, f.delivered, f.dropped, f.flooded = 0, 0, 0, false
	f.seen = make(map[string]bool)
}

// finish logs what the round had to drop and reports workspaces that
// went quiet.
func (f *roundFilter) finish() {
	if f.dropped > 0 {
		f.log.Warn("mdns: too many peers in one round, dropped the rest",
			"delivered", f.delivered, "dropped", f.dropped)
	}
	f.reportNearby()
}

// reportNearby tells onNearby the other workspaces if their list changed.
func (f *roundFilter) reportNearby() {
	if f.nearby == nil {
		return
	}
	if list, changed := f.nearby.changed(time.Now()); changed && f.onNearby != nil {
		f.onNearby(list)
	}
}

// consider handles one result and reports whether to keep listening.
func (f *roundFilter) consider(ctx context.Context, e *zeroconf.ServiceEntry) bool {
	f.entries++
	if f.entries > maxEntriesPerRound {
		// The rest of the round drains without a word: an attacker who
		// floods the LAN must not flood the log (and the disk) too.
		if !f.flooded {
			f.flooded = true
			f.log.Warn("mdns: announcement flood, ending browse round early", "entries", maxEntriesPerRound)
		}
		return false
	}
	id, tag, err := ParseEntry(e)
	if err != nil {
		f.log.Debug("mdns: ignoring announcement", "instance", clip(e), "err", err)
		return true
	}
	if id == f.self {
		return true
	}
	f.heard.mark()
	if tag != f.tag {
		if f.others.add(id) {
			f.log.Debug("mdns: peer of another workspace", "peer", id)
		}
		if f.nearby != nil && f.nearby.saw(id, tag, time.Now()) {
			f.reportNearby()
		}
		return true
	}
	addrs := entryAddrs(e)
	if len(addrs) == 0 {
		f.log.Debug("mdns: peer without a dialable address", "peer", id)
		return true
	}
	var key strings.Builder
	key.WriteString(string(id))
	for _, a := range addrs {
		key.WriteByte(' ')
		key.WriteString(a.String())
	}
	if f.seen[key.String()] {
		return true
	}
	if f.delivered >= maxSightingsPerRound {
		f.dropped++
		return true
	}
	f.seen[key.String()] = true
	f.delivered++
	f.sink.PeerSeen(ctx, Sighting{ID: id, Addrs: addrs, Via: ViaMDNS})
	return true
}

// clip shortens an announced instance name for logs; it is attacker-chosen.
func clip(e *zeroconf.ServiceEntry) string {
	if e == nil {
		return ""
	}
	s := e.Instance
	if len(s) > 64 {
		s = s[:64] + "…"
	}
	return s
}

// idSet is a bounded set of peer IDs, safe for concurrent use. Once full it
// stops growing, so its size saturates at its limit.
type idSet struct {
	limit int

	mu  sync.Mutex // guards ids
	ids map[peer.ID]struct{}
}

func newIDSet(limit int) *idSet {
	return &idSet{limit: limit, ids: make(map[peer.ID]struct{})}
}

// add reports whether id was new and stored.
func (s *idSet) add(id peer.ID) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.ids[id]; ok || len(s.ids) >= s.limit {
		return false
	}
	s.ids[id] = struct{}{}
	return true
}

func (s *idSet) len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.ids)
}
