package p2p

import (
	"crypto/rand"
	"testing"
	"testing/synctest"
	"time"

	ic "github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"
)

func testPeer(t testing.TB) peer.ID {
	t.Helper()
	_, pub, err := ic.GenerateEd25519Key(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	id, err := peer.IDFromPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// One author's burst uses up its own bucket in its own room: the next
// post waits for the refill, while another author, or the same author in
// another room, still posts.
func TestRoomQuotaPerAuthorAndRoom(t *testing.T) {
	flooder, honest := testPeer(t), testPeer(t)
	synctest.Test(t, func(t *testing.T) {
		q := newRoomQuota(RoomQuota{Posts: PaceConfig{PerSecond: 2, Burst: 60}, Bytes: PaceConfig{PerSecond: 1 << 20, Burst: 8 << 20}, MaxPost: 80 << 10})
		for i := range 60 {
			if v := q.charge("r", flooder, 100); v != quotaOK {
				t.Fatalf("post %d of the burst: %v", i, v)
			}
		}
		if v := q.charge("r", flooder, 100); v != quotaOverRun {
			t.Fatalf("post 61 at once: %v, want over the quota", v)
		}
		if v := q.charge("r", honest, 100); v != quotaOK {
			t.Fatalf("another author: %v", v)
		}
		if v := q.charge("other", flooder, 100); v != quotaOK {
			t.Fatalf("the same author in another room: %v", v)
		}
		time.Sleep(500 * time.Millisecond)
		if v := q.charge("r", flooder, 100); v != quotaOK {
			t.Fatalf("after the refill of one post: %v", v)
		}
		if v := q.charge("r", flooder, 100); v != quotaOverRun {
			t.Fatalf("a second post in the same half second: %v", v)
		}
		// A minute later the flooder has 120 posts of credit, capped at
		// the burst.
		time.Sleep(time.Minute)
		ok := 0
		for q.charge("r", flooder, 100) == quotaOK {
			ok++
		}
		if ok != 60 {
			t.Fatalf("%d posts after a quiet minute, want the burst of 60", ok)
		}
	})
}

// Bytes count as well as posts: large posts exhaust the byte bucket
// first, a refused post takes nothing from the post bucket, and one post
// beyond the cap is refused outright.
func TestRoomQuotaBytes(t *testing.T) {
	author := testPeer(t)
	synctest.Test(t, func(t *testing.T) {
		q := newRoomQuota(RoomQuota{Posts: PaceConfig{PerSecond: 2, Burst: 60}, Bytes: PaceConfig{PerSecond: 32 << 10, Burst: 256 << 10}, MaxPost: 80 << 10})
		if v := q.charge("r", author, 81<<10); v != quotaTooBig {
			t.Fatalf("a post over the cap: %v", v)
		}
		for i := range 4 {
			if v := q.charge("r", author, 64<<10); v != quotaOK {
				t.Fatalf("large post %d: %v", i, v)
			}
		}
		if v := q.charge("r", author, 64<<10); v != quotaOverRun {
			t.Fatalf("a fifth 64 KiB post at once: %v", v)
		}
		// The byte bucket is empty: small posts wait for its refill too.
		if v := q.charge("r", author, 1<<10); v != quotaOverRun {
			t.Fatalf("a small post with the byte bucket empty: %v", v)
		}
		time.Sleep(time.Second)
		// 32 KiB refilled: 32 small posts fit; the refused ones above took
		// no post tokens, so 56 are left of the post burst.
		ok := 0
		for q.charge("r", author, 1<<10) == quotaOK {
			ok++
		}
		if ok != 32 {
			t.Fatalf("%d small posts after a second, want 32 (the byte refill)", ok)
		}
	})
}

// The quota a node keeps for its own posts is inside everyone's.
func TestRoomQuotaMarginIsInside(t *testing.T) {
	m := RoomPostQuota.margin()
	if m.Posts.Burst*2 > RoomPostQuota.Posts.Burst || m.Posts.PerSecond >= RoomPostQuota.Posts.PerSecond ||
		m.Bytes.Burst*2 > RoomPostQuota.Bytes.Burst || m.Bytes.PerSecond >= RoomPostQuota.Bytes.PerSecond || m.MaxPost != RoomPostQuota.MaxPost {
		t.Fatalf("own margin %+v is not inside the quota %+v", m, RoomPostQuota)
	}
}

// A flood of fresh authors cannot grow the buckets without bound.
func TestRoomQuotaBounded(t *testing.T) {
	q := newRoomQuota(RoomPostQuota)
	for range maxQuotaAuthors + 10 {
		q.charge("r", testPeer(t), 100)
	}
	if n := len(q.buckets); n > maxQuotaAuthors {
		t.Fatalf("%d buckets kept, bound %d", n, maxQuotaAuthors)
	}
}

// Strikes add up and halve every half-life; they are the author's alone.
func TestQuotaStrikesDecay(t *testing.T) {
	flooder, other := testPeer(t), testPeer(t)
	synctest.Test(t, func(t *testing.T) {
		var s strikes
		for range 64 {
			s.add(flooder)
		}
		if c := s.count(flooder); c < 63.9 || c > 64 {
			t.Fatalf("%.2f strikes, want 64", c)
		}
		if s.score(flooder) >= graylistThreshold {
			t.Fatalf("64 strikes score %.0f, above the graylist", s.score(flooder))
		}
		if s.count(other) != 0 {
			t.Fatal("another peer was struck")
		}
		time.Sleep(strikeHalfLife)
		if c := s.count(flooder); c < 31.9 || c > 32.1 {
			t.Fatalf("%.2f strikes after one half-life, want 32", c)
		}
		time.Sleep(4 * strikeHalfLife)
		if s.score(flooder) < gossipThreshold {
			t.Fatalf("still %.0f after five half-lives", s.score(flooder))
		}
	})
}
