package p2p

import (
	"sync"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"
	"golang.org/x/time/rate"
)

// RoomQuota is what one author may post in one room over gossip: a post
// rate and a byte rate, each a token bucket with its burst, and a cap on
// one post. A person typing, pasting or sharing a file never comes near
// it; a script stuck in a loop, or a member flooding on purpose, does.
type RoomQuota struct {
	Posts   PaceConfig // posts per second, and how many at once
	Bytes   PaceConfig // bytes per second, and how many at once
	MaxPost int        // bytes of one post
}

// RoomPostQuota is every node's quota per author and room: 8 posts a
// second (480 a minute) after a burst of 100, 64 KiB a second (about
// 4 MiB a minute) after a burst of 4 MiB, 80 KiB a post (the envelope
// cap). A flood gets its burst and then that pace at most, and is
// graylisted soon after (strikes.go).
var RoomPostQuota = RoomQuota{
	Posts:   PaceConfig{PerSecond: 8, Burst: 100},
	Bytes:   PaceConfig{PerSecond: 64 << 10, Burst: 4 << 20},
	MaxPost: 80 << 10,
}

// margin is the quota a node keeps to itself when it posts: members count
// from when they first saw a post, which a restart of ours resets, so we
// stay well inside theirs. A burst beyond it is not gossiped; members
// fetch it through catch-up sync instead.
func (q RoomQuota) margin() RoomQuota {
	q.Posts = PaceConfig{PerSecond: q.Posts.PerSecond * 0.9, Burst: q.Posts.Burst / 2}
	q.Bytes = PaceConfig{PerSecond: q.Bytes.PerSecond * 0.9, Burst: q.Bytes.Burst / 2}
	return q
}

// maxQuotaAuthors bounds the buckets kept; full (idle) ones go first.
const maxQuotaAuthors = 4096

type quotaKey struct {
	room   string
	author peer.ID
}

type quotaBuckets struct{ posts, bytes *rate.Limiter }

// roomQuota keeps a pair of buckets per room and author.
type roomQuota struct {
	q       RoomQuota
	mu      sync.Mutex // guards buckets
	buckets map[quotaKey]*quotaBuckets
}

func newRoomQuota(q RoomQuota) *roomQuota {
	return &roomQuota{q: q, buckets: map[quotaKey]*quotaBuckets{}}
}

// quotaVerdict is what a post costs against its author's quota.
type quotaVerdict int

const (
	quotaOK      quotaVerdict = iota
	quotaTooBig               // one post beyond MaxPost
	quotaOverRun              // beyond the post or byte rate: dropped, not charged
)

// charge takes one post of size bytes from author's buckets in room, both
// or neither.
func (r *roomQuota) charge(room string, author peer.ID, size int) quotaVerdict {
	if size > r.q.MaxPost {
		return quotaTooBig
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	b := r.bucketsOf(quotaKey{room, author})
	now := time.Now()
	posts := b.posts.ReserveN(now, 1)
	if !posts.OK() || posts.DelayFrom(now) > 0 {
		posts.CancelAt(now)
		return quotaOverRun
	}
	bytes := b.bytes.ReserveN(now, size)
	if !bytes.OK() || bytes.DelayFrom(now) > 0 {
		bytes.CancelAt(now)
		posts.CancelAt(now)
		return quotaOverRun
	}
	return quotaOK
}

func (r *roomQuota) bucketsOf(k quotaKey) *quotaBuckets {
	if b := r.buckets[k]; b != nil {
		return b
	}
	if len(r.buckets) >= maxQuotaAuthors {
		for key, b := range r.buckets {
			if b.posts.Tokens() >= float64(r.q.Posts.Burst) && b.bytes.Tokens() >= float64(r.q.Bytes.Burst) {
				delete(r.buckets, key)
			}
		}
		if len(r.buckets) >= maxQuotaAuthors {
			// All busy: a flood of identities. Start over rather than grow.
			clear(r.buckets)
		}
	}
	b := &quotaBuckets{
		posts: rate.NewLimiter(rate.Limit(r.q.Posts.PerSecond), r.q.Posts.Burst),
		bytes: rate.NewLimiter(rate.Limit(r.q.Bytes.PerSecond), r.q.Bytes.Burst),
	}
	r.buckets[k] = b
	return b
}
