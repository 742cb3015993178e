package rooms

import (
	"bytes"
	"context"

	"hallway/chat"
	hcrypto "hallway/crypto"
	"hallway/storage"
)

// forkStore keeps the evidence of forks: an author that signed two
// different envelopes under one seq.
type forkStore interface {
	AddRoomFork(ctx context.Context, f storage.RoomFork) (bool, error)
	RoomForks(ctx context.Context, room string) ([]storage.RoomFork, error)
}

// serveForks bounds the fork evidence a sync answer carries per room, on
// top of what the asker lacks: each kept fork's two envelopes, so that a
// member that saw one version learns of the other (see ServeSync).
const serveForks = 8

// forks settles what storage found under keys it already held with other
// bytes. An envelope that signs other content than the one held is a
// fork: the log keeps the first, the second is kept as evidence (capped
// per author, see storage.MaxForksPerAuthor) and the fork is announced.
// The same envelope again, or the same content signed anew, is not.
func (c *committer) forks(ctx context.Context, conflicts []storage.RoomConflict) {
	for _, cf := range conflicts {
		e := cf.Entry
		if !differentSigned(cf.Held, e.Raw) {
			continue
		}
		added, err := c.store.AddRoomFork(ctx, storage.RoomFork{Room: e.Room, Author: e.Author, Seq: e.Seq, Held: cf.Held, Other: e.Raw})
		if err != nil || !added {
			continue
		}
		c.pub.Publish(chat.RoomForked{Fork: chat.RoomFork{Room: e.Room, Author: e.Author, Seq: e.Seq}})
		c.changed(ctx, e.Room)
	}
}

// differentSigned reports whether two envelopes, the held one as stored
// and the other authenticated on arrival, sign different content. A held
// envelope that does not decode is not evidence of anything.
func differentSigned(held, other []byte) bool {
	h, err := hcrypto.UnmarshalEnvelope(held)
	if err != nil {
		return false
	}
	o, err := hcrypto.UnmarshalEnvelope(other)
	if err != nil {
		return false
	}
	return !bytes.Equal(h.SignedBytes(), o.SignedBytes())
}

// forkCounts is, per author, how many forks of room are kept.
func forkCounts(ctx context.Context, s forkStore, room string) (map[string]int, error) {
	forks, err := s.RoomForks(ctx, room)
	if err != nil || len(forks) == 0 {
		return nil, err
	}
	out := map[string]int{}
	for _, f := range forks {
		out[f.Author]++
	}
	return out, nil
}

// forkEvidence is the envelopes of room's kept forks a sync answer
// carries, at most serveForks forks' worth.
func forkEvidence(ctx context.Context, s forkStore, room string) ([][]byte, error) {
	forks, err := s.RoomForks(ctx, room)
	if err != nil {
		return nil, err
	}
	var out [][]byte
	for i, f := range forks {
		if i == serveForks {
			break
		}
		out = append(out, f.Held, f.Other)
	}
	return out, nil
}
