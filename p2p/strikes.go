package p2p

import (
	"math"
	"sync"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"
)

// Quota strikes: posts a peer sent us itself beyond its own room quota.
// They count against its gossip score (as the application-specific part,
// strikes² negated), never against the members that forwarded the same
// posts: a forwarder may have met the burst at another pace and rightly
// passed some on, and gossipsub would blame it for a rejected message it
// forwarded. Strikes halve every strikeHalfLife, so a script that ran
// away once is forgiven within minutes, while a flood keeps its sender
// past the graylist (about 32 strikes) for as long as it goes on.
const (
	strikeHalfLife = time.Minute
	maxStruck      = 1024
)

type strike struct {
	v  float64
	at time.Time
}

type strikes struct {
	mu sync.Mutex // guards by
	by map[peer.ID]strike
}

func decayed(s strike, now time.Time) float64 {
	return s.v * math.Exp2(-now.Sub(s.at).Seconds()/strikeHalfLife.Seconds())
}

// add counts one strike against id.
func (s *strikes) add(id peer.ID) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := time.Now()
	if s.by == nil {
		s.by = map[peer.ID]strike{}
	}
	if _, ok := s.by[id]; !ok && len(s.by) >= maxStruck {
		for k, st := range s.by {
			if decayed(st, now) < 1 {
				delete(s.by, k)
			}
		}
		if len(s.by) >= maxStruck {
			return // a flood of identities: each is new, and graylisting them buys nothing
		}
	}
	s.by[id] = strike{v: decayed(s.by[id], now) + 1, at: now}
}

// count is id's strikes now.
func (s *strikes) count(id peer.ID) float64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	st, ok := s.by[id]
	if !ok {
		return 0
	}
	return decayed(st, time.Now())
}

// score is the strikes' share of id's gossip score.
func (s *strikes) score(id peer.ID) float64 {
	c := s.count(id)
	return -c * c
}
