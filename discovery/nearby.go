package discovery

import (
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"
)

// Bounds of what the nearby book keeps: announcements are free to forge,
// so a flood of invented peers and tags costs at most this much.
const (
	maxNearbyPeers = 1024 // peers remembered at once, across all tags
	maxNearbyTags  = 64   // tags listed, the most populated first
)

// Workspace is another workspace seen on the LAN: its public tag and how
// many distinct peers announced it lately. It says nothing about who they
// are: a tag is all an announcement carries, and anyone can announce one.
type Workspace struct {
	Tag   string
	Peers int
}

// nearbyBook remembers which peer announced which other workspace tag and
// when, and lists the tags seen within ttl. Safe for concurrent use.
type nearbyBook struct {
	ttl time.Duration

	mu    sync.Mutex // guards peers and last
	peers map[peer.ID]tagSeen
	last  []Workspace // the list last reported by changed
}

type tagSeen struct {
	tag string
	at  time.Time
}

func newNearbyBook(ttl time.Duration) *nearbyBook {
	return &nearbyBook{ttl: ttl, peers: map[peer.ID]tagSeen{}}
}

// saw records that id announced tag at now and reports whether that is
// news (a peer or a tag the book did not hold). A full book first forgets
// what is stale and then refuses peers it does not hold yet.
func (b *nearbyBook) saw(id peer.ID, tag string, now time.Time) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	old, ok := b.peers[id]
	if !ok && len(b.peers) >= maxNearbyPeers {
		b.expire(now)
		if len(b.peers) >= maxNearbyPeers {
			return false
		}
	}
	b.peers[id] = tagSeen{tag: tag, at: now}
	return !ok || old.tag != tag
}

// expire forgets peers not seen within ttl of now. b.mu is held.
func (b *nearbyBook) expire(now time.Time) {
	for id, s := range b.peers {
		if now.Sub(s.at) > b.ttl {
			delete(b.peers, id)
		}
	}
}

// list is every tag seen within ttl of now with its count of peers, the
// most populated first, then by tag; at most maxNearbyTags.
func (b *nearbyBook) list(now time.Time) []Workspace {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.listLocked(now)
}

func (b *nearbyBook) listLocked(now time.Time) []Workspace {
	b.expire(now)
	count := map[string]int{}
	for _, s := range b.peers {
		count[s.tag]++
	}
	out := make([]Workspace, 0, len(count))
	for tag, n := range count {
		out = append(out, Workspace{Tag: tag, Peers: n})
	}
	slices.SortFunc(out, func(a, b Workspace) int {
		if a.Peers != b.Peers {
			return b.Peers - a.Peers
		}
		return strings.Compare(a.Tag, b.Tag)
	})
	if len(out) > maxNearbyTags {
		out = out[:maxNearbyTags]
	}
	return out
}

// changed reports the list at now and whether it differs from the one the
// previous call reported.
func (b *nearbyBook) changed(now time.Time) ([]Workspace, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	cur := b.listLocked(now)
	if slices.Equal(cur, b.last) {
		return cur, false
	}
	b.last = cur
	return slices.Clone(cur), true
}
