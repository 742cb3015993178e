package rooms

import (
	"context"
	"errors"
	"fmt"
	"math"

	hcrypto "hallway/crypto"
	"hallway/p2p"
	"hallway/storage"

	"github.com/libp2p/go-libp2p/core/peer"
)

// pull fetches what we miss in rooms from one peer, committing in
// batches, and asks again while the peer still had more to send.
func (y *Syncer) pull(ctx context.Context, id peer.ID, rooms []string) error {
	var errs []error
	for range syncRounds {
		full, err := y.pullOnce(ctx, id, rooms)
		if err != nil {
			errs = append(errs, err)
		}
		if len(full) == 0 || ctx.Err() != nil {
			break
		}
		rooms = full
	}
	return errors.Join(errs...)
}

// syncRequestBudget bounds the estimated JSON size of one request, well
// under what a peer accepts (1 MiB), whatever the rooms' author counts.
const syncRequestBudget = 512 << 10

// pullOnce sends our vectors for rooms to a peer and commits what it
// answers; it returns the rooms whose answer filled a whole batch. Rooms
// go in as many requests as a peer accepts (p2p.MaxSyncRooms rooms, and a
// bounded size each), so any number of rooms syncs; a request that fails
// does not keep the others from running.
func (y *Syncer) pullOnce(ctx context.Context, id peer.ID, rooms []string) ([]string, error) {
	self := y.net.ID()
	var entries []p2p.SyncRoom
	asked := map[string]*Joined{}
	for _, r := range rooms {
		j := y.joined.Get(r)
		if j == nil || asked[r] != nil || j.liveOnly {
			continue // live only: its history is not asked for
		}
		have, err := y.store.RoomHeads(ctx, r)
		if err != nil {
			return nil, fmt.Errorf("room heads: %w", err)
		}
		y.skipBlocked(have)
		proof := j.Proof(r, self, id)
		entries = append(entries, p2p.SyncRoom{ID: r, Proof: proof[:], Have: have})
		asked[r] = j
	}
	var full []string
	var errs []error
	for _, req := range syncRequests(entries) {
		f, err := y.request(ctx, id, req, asked)
		if err != nil {
			if ctx.Err() != nil {
				return nil, err
			}
			errs = append(errs, err)
		}
		full = append(full, f...)
	}
	return full, errors.Join(errs...)
}

// syncRequests splits room entries into requests of at most
// p2p.MaxSyncRooms rooms and about syncRequestBudget bytes.
func syncRequests(entries []p2p.SyncRoom) []p2p.SyncRequest {
	var out []p2p.SyncRequest
	var cur p2p.SyncRequest
	size := 0
	for _, e := range entries {
		n := len(e.ID) + 2*len(e.Proof) + 32
		for a := range e.Have {
			n += len(a) + 24
		}
		if len(cur.Rooms) > 0 && (len(cur.Rooms) >= p2p.MaxSyncRooms || size+n > syncRequestBudget) {
			out = append(out, cur)
			cur, size = p2p.SyncRequest{}, 0
		}
		cur.Rooms = append(cur.Rooms, e)
		size += n
	}
	if len(cur.Rooms) > 0 {
		out = append(out, cur)
	}
	return out
}

// request sends one sync request and commits the answer; it returns the
// rooms whose answer filled a whole batch.
func (y *Syncer) request(ctx context.Context, id peer.ID, req p2p.SyncRequest, asked map[string]*Joined) ([]string, error) {
	self := y.net.ID()
	inReq := make(map[string]*Joined, len(req.Rooms))
	for _, r := range req.Rooms {
		inReq[r.ID] = asked[r.ID]
	}
	counts := map[string]int{}
	var batch []pending
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		_, err := y.commit.commit(ctx, storage.Replicated, batch)
		batch = batch[:0]
		return err
	}
	err := y.net.Sync(ctx, id, req, func(raw []byte) error {
		env, err := hcrypto.UnmarshalEnvelope(raw)
		if err != nil {
			return err
		}
		j := inReq[env.Room]
		if j == nil {
			return errors.New("peer sent a room we did not ask for")
		}
		e, err := openEntry(self, j, env, raw, nil)
		if err != nil {
			return err
		}
		counts[env.Room]++
		if a, _ := peer.IDFromBytes(env.Author); y.blocks.IsBlocked(a) {
			// Asked not to send these (skipBlocked); an older peer may
			// still. Not kept, and not the sender's fault.
			return nil
		}
		batch = append(batch, pending{entry: e})
		if len(batch) >= writerBatch {
			return flush()
		}
		return nil
	})
	if ferr := flush(); err == nil {
		err = ferr
	}
	if err != nil {
		return nil, err
	}
	var full []string
	for r, n := range counts {
		if n >= p2p.MaxSyncBatch {
			full = append(full, r)
		}
	}
	return full, nil
}

// skipBlocked claims, in a version vector sent with a sync request, to
// hold everything of each blocked author, so that members send none of
// their posts; their own posts after an unblock bring the real vector.
func (y *Syncer) skipBlocked(have map[string]uint64) {
	for _, id := range y.blocks.BlockedIDs() {
		if len(have) >= p2p.MaxSyncAuthors {
			return
		}
		have[id.String()] = math.MaxInt64
	}
}

// ServeSync answers a peer's sync request: for each room we are in and for
// which it proves it holds the key, every envelope it lacks. A live-only
// room is never answered: anyone holds its key.
func (y *Syncer) ServeSync(ctx context.Context, from peer.ID, req p2p.SyncRequest, send func([]byte) error) error {
	self := y.net.ID()
	for _, r := range req.Rooms {
		j := y.joined.Get(r.ID)
		if j == nil || j.liveOnly || !j.CheckProof(r.ID, from, self, r.Proof) {
			continue
		}
		raws, err := y.store.RoomEnvelopesAfter(ctx, r.ID, r.Have, p2p.MaxSyncBatch)
		if err != nil {
			return fmt.Errorf("read room envelopes: %w", err)
		}
		for _, raw := range raws {
			if err := send(raw); err != nil {
				return err
			}
		}
	}
	return nil
}
