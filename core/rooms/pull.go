package rooms

import (
	"context"
	"errors"
	"fmt"

	hcrypto "hallway/crypto"
	"hallway/p2p"
	"hallway/storage"

	"github.com/libp2p/go-libp2p/core/peer"
)

// pull fetches what we miss in rooms from one peer, committing in
// batches, and asks again while the peer still had more to send.
func (y *Syncer) pull(ctx context.Context, id peer.ID, rooms []string) error {
	for range syncRounds {
		full, err := y.pullOnce(ctx, id, rooms)
		if err != nil || len(full) == 0 {
			return err
		}
		rooms = full
	}
	return nil
}

// pullOnce sends our vectors for rooms to a peer and commits what it
// answers; it returns the rooms whose answer filled a whole batch.
func (y *Syncer) pullOnce(ctx context.Context, id peer.ID, rooms []string) ([]string, error) {
	self := y.net.ID()
	req := p2p.SyncRequest{}
	asked := map[string]*Joined{}
	for _, r := range rooms {
		j := y.joined.Get(r)
		if j == nil || j.liveOnly {
			continue // live only: its history is not asked for
		}
		have, err := y.store.RoomHeads(ctx, r)
		if err != nil {
			return nil, fmt.Errorf("room heads: %w", err)
		}
		proof := j.Proof(r, self, id)
		req.Rooms = append(req.Rooms, p2p.SyncRoom{ID: r, Proof: proof[:], Have: have})
		asked[r] = j
	}
	if len(req.Rooms) == 0 {
		return nil, nil
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
		j := asked[env.Room]
		if j == nil {
			return errors.New("peer sent a room we did not ask for")
		}
		e, err := openEntry(self, j, env, raw, nil)
		if err != nil {
			return err
		}
		counts[env.Room]++
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
