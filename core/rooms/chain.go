package rooms

import (
	"bytes"
	"context"
	"crypto/sha256"
	"maps"
	"slices"

	"hallway/chat"
	hcrypto "hallway/crypto"
	"hallway/storage"
)

// chainStore reads stored envelopes.
type chainStore interface {
	RoomEnvelope(ctx context.Context, room, author string, seq uint64) ([]byte, bool, error)
}

// prevLink is what our next post in room, of seq, names as its
// predecessor: the hash of our envelope of seq-1 as stored, zero for the
// first. ok is false when seq-1 is not held (a restored folder no member
// could catch up): the post then names none (a version 1 body) rather
// than a link every member holding seq-1 would take for a fork.
func prevLink(ctx context.Context, s chainStore, room, self string, seq uint64) (prev [hcrypto.ChainHashLen]byte, ok bool, err error) {
	if seq <= 1 {
		return prev, true, nil
	}
	raw, held, err := s.RoomEnvelope(ctx, room, self, seq-1)
	if err != nil || !held {
		return prev, false, err
	}
	return hcrypto.ChainHash(raw), true, nil
}

// chain checks the links of what was just stored: each new envelope
// against the author's envelope of the seq before, when held, and the
// envelope after, when held, against it; so a hole filled later is
// checked when it is. A link that names another envelope than the one
// held means the author signed two histories: the pair (seq-1 held, seq
// naming another) is kept as fork evidence and the fork announced, as
// for two envelopes under one seq. Bodies that name no link (version 1)
// are not checked. chains are what was stored per author with the links
// around it, as the storing transaction read them (storage.RoomInsert).
func (c *committer) chain(ctx context.Context, chains map[storage.ChainKey]storage.Chain) {
	for k, ch := range chains {
		held := make(map[uint64]storage.ChainLink, len(ch.Links))
		for _, l := range ch.Links {
			held[l.Seq] = l
		}
		broken := map[uint64]bool{}
		for _, s := range ch.Added {
			for _, n := range []uint64{s, s + 1} {
				if n >= 2 && chainBreak(held, n) {
					broken[n] = true
				}
			}
		}
		for _, n := range slices.Sorted(maps.Keys(broken)) {
			c.chainFork(ctx, k, n)
		}
	}
}

// chainBreak reports whether the envelope of seq n names another
// predecessor than the n-1 held.
func chainBreak(held map[uint64]storage.ChainLink, n uint64) bool {
	cur, ok1 := held[n]
	prev, ok2 := held[n-1]
	return ok1 && ok2 && len(cur.Prev) == sha256.Size && !bytes.Equal(cur.Prev, prev.Link[:])
}

// chainFork keeps the envelopes of seq n-1 and n as evidence and raises
// the alert.
func (c *committer) chainFork(ctx context.Context, k storage.ChainKey, n uint64) {
	held, ok1, err1 := c.store.RoomEnvelope(ctx, k.Room, k.Author, n-1)
	other, ok2, err2 := c.store.RoomEnvelope(ctx, k.Room, k.Author, n)
	if err1 != nil || err2 != nil || !ok1 || !ok2 {
		return
	}
	added, err := c.store.AddRoomFork(ctx, storage.RoomFork{Room: k.Room, Author: k.Author, Seq: n, Held: held, Other: other})
	if err != nil || !added {
		return
	}
	c.pub.Publish(chat.RoomForked{Fork: chat.RoomFork{Room: k.Room, Author: k.Author, Seq: n}})
	c.changed(ctx, k.Room)
}
