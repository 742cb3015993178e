package core

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	hcrypto "hallway/crypto"
	"hallway/p2p"
	"hallway/storage"

	"github.com/libp2p/go-libp2p/core/peer"
)

const (
	// syncEvery is how often each room is compared with one online
	// member: the safety net that catches messages lost at the tail of a
	// burst, where no later message reveals the gap.
	syncEvery = 5 * time.Second
	// gapDelay lets the rest of a burst arrive before asking for a hole.
	gapDelay = 200 * time.Millisecond
	// syncRounds bounds repeated requests to one peer for one trigger.
	syncRounds = 50
)

// roomSyncer runs the room catch-up protocol: on connect, on a detected
// gap and periodically, it asks peers for what our version vectors lack.
// At most one sync runs per peer; a trigger during one reruns it after.
type roomSyncer struct {
	s       *Service
	mu      sync.Mutex
	running map[peer.ID]bool
	again   map[peer.ID]map[string]bool // rooms to sync once the running one ends
	gaps    map[string]bool             // rooms with a gap request scheduled
}

func newRoomSyncer(s *Service) *roomSyncer {
	return &roomSyncer{s: s, running: map[peer.ID]bool{}, again: map[peer.ID]map[string]bool{}, gaps: map[string]bool{}}
}

// request syncs rooms (nil: all) with a peer, now or after its running sync.
func (y *roomSyncer) request(id peer.ID, rooms []string) {
	if rooms == nil {
		for _, st := range y.s.rooms.all() {
			rooms = append(rooms, st.id)
		}
	}
	y.mu.Lock()
	defer y.mu.Unlock()
	if y.running[id] {
		if y.again[id] == nil {
			y.again[id] = map[string]bool{}
		}
		for _, r := range rooms {
			y.again[id][r] = true
		}
		return
	}
	y.running[id] = true
	y.s.spawn(func(ctx context.Context) { y.loop(ctx, id, rooms) })
}

func (y *roomSyncer) loop(ctx context.Context, id peer.ID, rooms []string) {
	for {
		if err := y.s.syncWith(ctx, id, rooms); err != nil && ctx.Err() == nil {
			y.s.log.Debug("room sync", "peer", id, "err", err)
		}
		y.mu.Lock()
		next := y.again[id]
		delete(y.again, id)
		if len(next) == 0 || ctx.Err() != nil {
			delete(y.running, id)
			y.mu.Unlock()
			return
		}
		y.mu.Unlock()
		rooms = rooms[:0]
		for r := range next {
			rooms = append(rooms, r)
		}
	}
}

// gap schedules one request for a room's hole to the peer that showed it.
func (y *roomSyncer) gap(room string, from peer.ID) {
	y.mu.Lock()
	if y.gaps[room] {
		y.mu.Unlock()
		return
	}
	y.gaps[room] = true
	y.mu.Unlock()
	y.s.spawn(func(ctx context.Context) {
		select {
		case <-time.After(gapDelay):
		case <-ctx.Done():
		}
		y.mu.Lock()
		delete(y.gaps, room)
		y.mu.Unlock()
		y.request(from, []string{room})
	})
}

// syncRoomWithAll asks every connected peer about one room (just joined).
func (y *roomSyncer) syncRoomWithAll(room string) {
	for _, id := range y.s.node.ConnectedPeers() {
		y.request(id, []string{room})
	}
}

// run compares every room with one random online member periodically.
func (y *roomSyncer) run(ctx context.Context) error {
	t := time.NewTicker(syncEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
		byPeer := map[peer.ID][]string{}
		for _, st := range y.s.rooms.all() {
			if members := st.topic.Peers(); len(members) > 0 {
				p := members[rand.IntN(len(members))]
				byPeer[p] = append(byPeer[p], st.id)
			}
		}
		for p, rooms := range byPeer {
			y.request(p, rooms)
		}
	}
}

// syncWith pulls what we miss in rooms from one peer, committing in
// batches, and asks again while the peer still had more to send.
func (s *Service) syncWith(ctx context.Context, id peer.ID, rooms []string) error {
	for range syncRounds {
		full, err := s.syncOnce(ctx, id, rooms)
		if err != nil || len(full) == 0 {
			return err
		}
		rooms = full
	}
	return nil
}

func (s *Service) syncOnce(ctx context.Context, id peer.ID, rooms []string) ([]string, error) {
	self := s.node.ID()
	req := p2p.SyncRequest{}
	asked := map[string]*roomState{}
	for _, r := range rooms {
		st := s.rooms.get(r)
		if st == nil {
			continue
		}
		have, err := s.store.RoomHeads(ctx, r)
		if err != nil {
			return nil, fmt.Errorf("room heads: %w", err)
		}
		proof := st.key.SyncProof(r, []byte(self), []byte(id))
		req.Rooms = append(req.Rooms, p2p.SyncRoom{ID: r, Proof: proof[:], Have: have})
		asked[r] = st
	}
	if len(req.Rooms) == 0 {
		return nil, nil
	}
	counts := map[string]int{}
	var batch []pendingEntry
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		_, err := s.commitEntries(ctx, storage.Replicated, batch)
		batch = batch[:0]
		return err
	}
	err := s.node.Sync(ctx, id, req, func(raw []byte) error {
		env, err := hcrypto.UnmarshalEnvelope(raw)
		if err != nil {
			return err
		}
		st := asked[env.Room]
		if st == nil {
			return errors.New("peer sent a room we did not ask for")
		}
		e, err := s.entryFromEnvelope(st, env, raw, nil)
		if err != nil {
			return err
		}
		counts[env.Room]++
		batch = append(batch, pendingEntry{entry: e})
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
// which it proves it holds the key, every envelope it lacks.
func (h *handler) ServeSync(ctx context.Context, from peer.ID, req p2p.SyncRequest, send func([]byte) error) error {
	s := h.svc()
	self := s.node.ID()
	for _, r := range req.Rooms {
		st := s.rooms.get(r.ID)
		if st == nil || !st.key.CheckSyncProof(r.ID, []byte(from), []byte(self), r.Proof) {
			continue
		}
		raws, err := s.store.RoomEnvelopesAfter(ctx, r.ID, r.Have, p2p.MaxSyncBatch)
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
