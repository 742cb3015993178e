package p2p

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"sync"
	"testing"
	"time"

	pubsub "github.com/libp2p/go-libp2p-pubsub"
	"github.com/libp2p/go-libp2p/core/peer"
)

// roomLog collects what a node's room topic delivers, by author.
type roomLog struct {
	mu      sync.Mutex
	by      map[peer.ID][]string
	changed chan struct{}
}

func newRoomLog() *roomLog {
	return &roomLog{by: map[peer.ID][]string{}, changed: make(chan struct{}, 1)}
}

func (l *roomLog) count(id peer.ID) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.by[id])
}

func (l *roomLog) has(id peer.ID, text string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, s := range l.by[id] {
		if s == text {
			return true
		}
	}
	return false
}

func (l *roomLog) wait(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.After(20 * time.Second)
	for !cond() {
		select {
		case <-l.changed:
		case <-deadline:
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

// testPost is a post of n's for the test validator: gossip names no
// author, so the post does ("id|text"), as Hallway's signed envelopes do.
func testPost(n *Node, format string, args ...any) []byte {
	return fmt.Appendf([]byte(n.ID().String()+"|"), format, args...)
}

// validate accepts any post of testPost's form but one whose text starts
// with "invalid".
func (l *roomLog) validate(data []byte) (peer.ID, any, error) {
	id, text, ok := strings.Cut(string(data), "|")
	if !ok || strings.HasPrefix(text, "invalid") {
		return "", nil, fmt.Errorf("not a post")
	}
	author, err := peer.Decode(id)
	if err != nil {
		return "", nil, err
	}
	return author, authored{author, text}, nil
}

// receive records a delivered post.
func (l *roomLog) receive(_ peer.ID, v any) {
	a := v.(authored)
	l.mu.Lock()
	l.by[a.author] = append(l.by[a.author], a.text)
	l.mu.Unlock()
	select {
	case l.changed <- struct{}{}:
	default:
	}
}

type authored struct {
	author peer.ID
	text   string
}

// joinTestRoom follows room, an open topic, on n with a validator that
// accepts any post but an "invalid" one and records every delivery.
func joinTestRoom(t *testing.T, n *Node, room string) (*RoomTopic, *roomLog) {
	t.Helper()
	log := newRoomLog()
	rt, err := n.JoinRoom(room, room, nil, log.validate, log.receive)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rt.Leave() })
	return rt, log
}

// waitTopicPeers waits until n peers are subscribed to rt's topic, on
// the topic's join events.
func waitTopicPeers(t *testing.T, rt *RoomTopic, n int) {
	t.Helper()
	ev, err := rt.topic.EventHandler()
	if err != nil {
		t.Fatal(err)
	}
	defer ev.Cancel()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	joined := map[peer.ID]bool{}
	for len(joined) < n {
		e, err := ev.NextPeerEvent(ctx)
		if err != nil {
			t.Fatalf("%d of %d topic peers: %v", len(joined), n, err)
		}
		joined[e.Peer] = e.Type == pubsub.PeerJoin
		if !joined[e.Peer] {
			delete(joined, e.Peer)
		}
	}
}

// A member that floods a room gets its burst through and no more; its
// over-quota posts count as invalid, so its gossip score falls past the
// thresholds (the victim stops gossiping and publishing to it, and past the
// graylist drops what it sends unread). An honest member posting meanwhile
// loses nothing.
func TestRoomFloodCappedAndGraylisted(t *testing.T) {
	victim, _ := newTestNode(t, nil)
	// A modified client floods its posts to every member: through the
	// mesh alone they would stop at the victim's first heartbeat after its
	// score went negative (it prunes the flooder, which then sends to the
	// honest member only), however few strikes the flooder had by then.
	flooder, _ := newTestNodeWith(t, Config{floodPublish: true})
	honest, _ := newTestNode(t, nil)
	connect(t, flooder, victim)
	connect(t, honest, victim)
	connect(t, honest, flooder)
	vt, vlog := joinTestRoom(t, victim, "r")
	ft, _ := joinTestRoom(t, flooder, "r")
	ht, _ := joinTestRoom(t, honest, "r")
	for _, rt := range []*RoomTopic{vt, ft, ht} {
		waitTopicPeers(t, rt, 2)
	}
	// The honest member posts to its mesh peers only.
	waitMesh(t, honest, victim.ID(), "r")
	ctx := context.Background()
	const burst, rounds = 400, 5
	start := time.Now()
	flood, honestPosts := 0, 0
	// The flood goes on until the victim's reading of the flooder's score
	// is past the publish threshold, as a flood does. Scores are read
	// every scoreInspectPeriod, and strikes halve in a minute: the
	// publish threshold (about 22 strikes) holds for half a minute after
	// the graylist (about 32), whenever the reading comes.
	for round := 0; victim.GossipScore(flooder.ID()) >= publishThreshold; round++ {
		if round == rounds {
			t.Fatalf("after %d flood posts the flooder's score is %.0f, want below %d", flood, victim.GossipScore(flooder.ID()), publishThreshold)
		}
		for i := range burst {
			// Straight to gossip: the flooder's own quota is what a
			// modified client leaves out.
			if err := ft.topic.Publish(ctx, testPost(flooder, "flood %d", flood)); err != nil {
				t.Fatal(err)
			}
			flood++
			// The honest member posts within its own quota (Publish
			// keeps to half the burst): 20 in the first burst, 5 in
			// each later one.
			step := 80
			if round == 0 {
				step = 20
			}
			if i%step == 0 {
				honestPosts++
				if err := ht.Publish(ctx, testPost(honest, "honest %d", honestPosts)); err != nil {
					t.Fatal(err)
				}
			}
		}
		vlog.wait(t, "every honest post", func() bool { return vlog.count(honest.ID()) == honestPosts })
		select {
		case <-victim.scores.next(): // the first reading after the burst
		case <-time.After(10 * time.Second):
			t.Fatal("no reading of gossip scores within 10 s of the burst")
		}
	}
	got := vlog.count(flooder.ID())
	q := RoomPostQuota.Posts
	allowed := q.Burst + int(q.PerSecond*time.Since(start).Seconds()) + 1
	if got < q.Burst/2 || got > allowed {
		t.Fatalf("the victim took %d of %d flood posts; the quota allows %d by now", got, flood, allowed)
	}
	if s := victim.GossipScore(honest.ID()); s < 0 {
		t.Fatalf("the honest member's score fell to %.1f", s)
	}

	st := victim.Stats()
	if st.RoomOverQuota == 0 {
		t.Fatalf("stats do not show the flood: %+v", st)
	}
	t.Logf("flood of %d: %d delivered, %d over quota (the rest dropped unread once graylisted), flooder's score %.0f",
		flood, got, st.RoomOverQuota, victim.GossipScore(flooder.ID()))
}

// waitScore waits until the victim's reading of id's score is below limit.
func waitScore(t *testing.T, victim *Node, id peer.ID, limit float64) {
	t.Helper()
	deadline := time.After(20 * time.Second)
	for victim.GossipScore(id) >= limit {
		select {
		case <-victim.scores.next():
		case <-deadline:
			t.Fatalf("score %.0f, want below %.0f", victim.GossipScore(id), limit)
		}
	}
}

// Posts a validator rejects lower their sender's score past the
// thresholds.
func TestInvalidPostsLowerTheSendersScore(t *testing.T) {
	victim, _ := newTestNode(t, nil)
	// A modified client floods its posts: through the mesh alone they
	// would stop at the victim's first prune, however far its score is
	// from the thresholds by then.
	bad, _ := newTestNodeWith(t, Config{floodPublish: true})
	connect(t, bad, victim)
	vt, vlog := joinTestRoom(t, victim, "r")
	bt, _ := joinTestRoom(t, bad, "r")
	waitTopicPeers(t, vt, 1)
	waitTopicPeers(t, bt, 1)
	waitMesh(t, bad, victim.ID(), "r")
	ctx := context.Background()
	// The sender's own validator would stop these; a modified client has
	// none.
	if err := bad.ps.UnregisterTopicValidator(roomTopicPrefix + "r"); err != nil {
		t.Fatal(err)
	}
	for i := range 100 {
		if err := bt.topic.Publish(ctx, testPost(bad, "invalid %d", i)); err != nil {
			t.Fatal(err)
		}
	}
	waitScore(t, victim, bad.ID(), publishThreshold)
	if vlog.count(bad.ID()) != 0 {
		t.Fatal("an invalid post was delivered")
	}
}

// Our own burst beyond the quota is not gossiped, except its newest post,
// as soon as the quota allows: members see the hole and fetch the rest
// through sync. Nothing of ours ever counts against us.
func TestOwnBurstKeepsInsideTheQuota(t *testing.T) {
	a, _ := newTestNode(t, nil)
	b, _ := newTestNode(t, nil)
	connect(t, a, b)
	at, _ := joinTestRoom(t, a, "r")
	bt, blog := joinTestRoom(t, b, "r")
	waitTopicPeers(t, at, 1)
	waitTopicPeers(t, bt, 1)
	waitMesh(t, a, b.ID(), "r")
	const n = 150
	over := 0
	for i := range n {
		if err := at.Publish(context.Background(), testPost(a, "post %d", i)); errors.Is(err, ErrOverQuota) {
			over++
		} else if err != nil {
			t.Fatal(err)
		}
	}
	if over == 0 || over > n-a.sendQuota.q.Posts.Burst {
		t.Fatalf("%d of %d posts held back; the own burst is %d", over, n, a.sendQuota.q.Posts.Burst)
	}
	blog.wait(t, "the newest post", func() bool { return blog.has(a.ID(), fmt.Sprintf("post %d", n-1)) })
	if got := blog.count(a.ID()); got > n-over+1 {
		t.Fatalf("%d posts gossiped, %d were held back", got, over)
	}
	if st := b.Stats(); st.RoomOverQuota != 0 {
		t.Fatalf("our own burst went over the quota at a member: %+v", st)
	}
}

// Scores decay every scoreDecayInterval, and each counter falls to
// nothing (1 %) in the time it is meant to, whatever that interval: a
// factor worked out for gossipsub's default second would keep a penalty
// five times as long.
func TestScoreDecaysLastAsLongAsMeant(t *testing.T) {
	p := peerScoreParams(func(peer.ID) bool { return false }, &strikes{})
	topic := roomTopicScore()
	for name, c := range map[string]struct {
		factor float64
		over   time.Duration
	}{
		"behaviour penalty":          {p.BehaviourPenaltyDecay, time.Minute},
		"first message deliveries":   {topic.FirstMessageDeliveriesDecay, 10 * time.Minute},
		"invalid message deliveries": {topic.InvalidMessageDeliveriesDecay, invalidDecay},
	} {
		left := math.Pow(c.factor, float64(c.over/p.DecayInterval))
		if math.Abs(left-pubsub.DefaultDecayToZero) > 1e-9 {
			t.Errorf("%s: %.4f of it left after %v, want %.2f", name, left, c.over, pubsub.DefaultDecayToZero)
		}
	}
	if p.DecayInterval != scoreDecayInterval {
		t.Errorf("scores decay every %v, want %v", p.DecayInterval, scoreDecayInterval)
	}
}
