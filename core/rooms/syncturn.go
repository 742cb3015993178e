package rooms

import (
	"bytes"
	"math/rand/v2"
	"slices"

	"github.com/libp2p/go-libp2p/core/peer"
)

// partners is whom the periodic sync may ask about j: the peers in its
// gossip and the connected peers its membership log lists, each once, in
// a fixed order. Both count: a member the others moved on without (removed,
// or away through re-keys) may find in its gossip only a peer that answers
// nothing, such as another removed member running a modified client, and
// must still reach a member that holds the log.
func partners(j *Joined, connected []peer.ID) []peer.ID {
	out := append(j.Peers(), j.listed(connected)...)
	slices.SortFunc(out, func(a, b peer.ID) int { return bytes.Compare([]byte(a), []byte(b)) })
	return slices.Compact(out)
}

// turns takes the partners of each room in turn, from a random place
// drawn when the room is first seen: every partner is asked within as
// many rounds as there are partners, so no peer can keep the others out
// of a room's sync by being chosen, while the nodes of an office, each
// starting somewhere else, do not all ask the same peer at once.
type turns struct {
	next map[string]int // room → place of the partner asked next
}

// take is the partner asked about room this round, of ps (not empty).
func (t *turns) take(room string, ps []peer.ID) peer.ID {
	i, ok := t.next[room]
	if !ok {
		i = rand.IntN(len(ps))
	}
	t.next[room] = i + 1
	return ps[i%len(ps)]
}

// keep forgets the rooms not in rooms (left since).
func (t *turns) keep(rooms map[string]bool) {
	for r := range t.next {
		if !rooms[r] {
			delete(t.next, r)
		}
	}
}
