package p2p

import (
	"sync"
	"time"

	pubsub "github.com/libp2p/go-libp2p-pubsub"
	"github.com/libp2p/go-libp2p/core/peer"
)

// Gossip peer scoring, tuned for an office LAN. What matters here is P4,
// invalid messages: a forged or undecryptable post costs every peer that
// sent it to us invalidWeight × count², which decays over a few minutes;
// and quota strikes (strikes.go), posts beyond their author's room quota
// that the author sent us itself, as the application-specific part. An
// honest peer never earns either, so its score stays at or above zero (P1
// and P2 reward time in the mesh and first deliveries, capped); a peer
// that does falls below the thresholds one after the other: we stop
// gossiping to it, stop publishing to it, and past the graylist every RPC
// it sends is dropped before validation costs anything.
//
// Left out on purpose: IP colocation (several colleagues behind one NAT'd
// address, or one machine's Hallways on loopback, are normal here) and
// mesh delivery rates (a quiet room delivers nothing for hours).
const (
	gossipThreshold    = -100  // about 10 invalid messages
	publishThreshold   = -500  // about 22
	graylistThreshold  = -1000 // about 32
	invalidWeight      = -1
	invalidDecay       = 5 * time.Minute // to 1 % of the count
	scoreRetain        = 10 * time.Minute
	scoreInspectPeriod = 5 * time.Second
)

// scoreDecayInterval is how often gossip scores decay and a peer's time
// in the mesh is counted, and scoreInspectPeriod above how often scores
// are read out (GossipScore). Each is a pass over every peer and its
// topics; at gossipsub's default of once a second the two were a ninth of
// what an office of 100 at rest spent. The decays are worked out for the
// interval (decayOver), so a penalty fades as fast as before.
const scoreDecayInterval = 5 * time.Second

// decayOver is the factor applied each scoreDecayInterval to a counter
// that falls to nothing (1 %) within d.
func decayOver(d time.Duration) float64 {
	return pubsub.ScoreParameterDecayWithBase(d, scoreDecayInterval, pubsub.DefaultDecayToZero)
}

func peerScoreParams(blocked func(peer.ID) bool, struck *strikes) *pubsub.PeerScoreParams {
	return &pubsub.PeerScoreParams{
		Topics:        map[string]*pubsub.TopicScoreParams{},
		TopicScoreCap: 10,
		// A blocked key never gets this far (the gater refuses it); if
		// it did, it would be graylisted at once.
		AppSpecificScore: func(id peer.ID) float64 {
			if blocked(id) {
				return 2 * graylistThreshold
			}
			return struck.score(id)
		},
		AppSpecificWeight:         1,
		IPColocationFactorWeight:  0,
		BehaviourPenaltyWeight:    -10,
		BehaviourPenaltyThreshold: 6,
		BehaviourPenaltyDecay:     decayOver(time.Minute),
		DecayInterval:             scoreDecayInterval,
		DecayToZero:               pubsub.DefaultDecayToZero,
		RetainScore:               scoreRetain,
	}
}

func peerScoreThresholds() *pubsub.PeerScoreThresholds {
	return &pubsub.PeerScoreThresholds{
		GossipThreshold:             gossipThreshold,
		PublishThreshold:            publishThreshold,
		GraylistThreshold:           graylistThreshold,
		AcceptPXThreshold:           100, // peer exchange is off anyway
		OpportunisticGraftThreshold: 1,
	}
}

// roomTopicScore is the score of every room topic.
func roomTopicScore() *pubsub.TopicScoreParams {
	return &pubsub.TopicScoreParams{
		TopicWeight:                    1,
		TimeInMeshWeight:               0.01,
		TimeInMeshQuantum:              time.Second,
		TimeInMeshCap:                  100,
		FirstMessageDeliveriesWeight:   1,
		FirstMessageDeliveriesDecay:    decayOver(10 * time.Minute),
		FirstMessageDeliveriesCap:      10,
		InvalidMessageDeliveriesWeight: invalidWeight,
		InvalidMessageDeliveriesDecay:  decayOver(invalidDecay),
	}
}

// scoreBoard keeps the last scores gossip reported.
type scoreBoard struct {
	mu      sync.Mutex // guards scores and changed
	scores  map[peer.ID]float64
	changed chan struct{} // closed and replaced at each report
}

func (b *scoreBoard) update(scores map[peer.ID]float64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.scores = scores
	if b.changed != nil {
		close(b.changed)
		b.changed = nil
	}
}

// next is closed at the next report.
func (b *scoreBoard) next() <-chan struct{} {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.changed == nil {
		b.changed = make(chan struct{})
	}
	return b.changed
}

// GossipScore is id's gossip score as last read (scoreInspectPeriod; 0
// when unknown).
func (n *Node) GossipScore(id peer.ID) float64 {
	n.scores.mu.Lock()
	defer n.scores.mu.Unlock()
	return n.scores.scores[id]
}

// graylisted counts the connected peers whose gossip is ignored (scores
// of peers gone are kept for a while, blocked ones among them).
func (b *scoreBoard) graylisted(connected func(peer.ID) bool) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	k := 0
	for id, s := range b.scores {
		if s < graylistThreshold && connected(id) {
			k++
		}
	}
	return k
}
