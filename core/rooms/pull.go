package rooms

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"

	hcrypto "hallway/crypto"
	"hallway/p2p"
	"hallway/storage"

	"github.com/libp2p/go-libp2p/core/peer"
)

// heldBudget caps the held bitmaps of one request, well inside the frame
// cap; rooms past it are asked for without theirs, and may get again some
// of what they hold.
const heldBudget = 256 << 10

// pull fetches what we miss in rooms from one peer, committing in
// batches, and asks again while the peer still had more to send.
func (y *Syncer) pull(ctx context.Context, id peer.ID, rooms []string) error {
	var errs []error
	asked := rooms
	defer func() {
		if len(errs) == 0 && y.pulled != nil {
			y.pulled(id, asked)
		}
	}()
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

// syncRoom is one room of a request to peer to: our vector, and the seqs
// we hold above it as far as budget (bytes of bitmap left) allows.
func (y *Syncer) syncRoom(ctx context.Context, j *Joined, to peer.ID, budget *int) (p2p.SyncRoom, error) {
	v, err := y.store.RoomVectorOf(ctx, j.id, p2p.SyncSeqWindow)
	if err != nil {
		return p2p.SyncRoom{}, fmt.Errorf("room vector: %w", err)
	}
	r := p2p.SyncRoom{ID: j.id, Have: v.Heads}
	// Someone removed or gone, of whom we hold all up to the cutoff: ask
	// for nothing more, as we would refuse it.
	for author, c := range j.roster().cutMembers() {
		if v.Heads[author] >= c && !j.roster().invited[author] && r.Have != nil {
			r.Have[author] = math.MaxInt64
			delete(v.Held, author)
		}
	}
	room := 0
	for _, author := range slices.Sorted(maps.Keys(v.Held)) {
		b := p2p.HeldBitmap(v.Heads[author], v.Held[author])
		if len(b) == 0 || room+len(b) > p2p.MaxSyncHeldRoom || len(b) > *budget {
			continue
		}
		if r.Held == nil {
			r.Held = map[string][]byte{}
		}
		r.Held[author] = b
		room += len(b)
		*budget -= len(b)
	}
	return r, nil
}

// syncRequestBudget bounds the estimated JSON size of one request, well
// under what a peer accepts (1 MiB), whatever the rooms' author counts.
const syncRequestBudget = 512 << 10

// pullOnce sends our vectors for rooms to a peer and commits what it
// answers; it returns the rooms whose answer filled a whole batch and
// brought something new (a full batch of what we hold already, from a
// peer that ignores what we hold, is not asked for again). Rooms go in as
// many requests as a peer accepts (p2p.MaxSyncRooms rooms, and a bounded
// size each), so any number of rooms syncs; a request that fails does not
// keep the others from running.
func (y *Syncer) pullOnce(ctx context.Context, id peer.ID, rooms []string) ([]string, error) {
	var entries []p2p.SyncRoom
	asked := map[string]*Joined{}
	budget := heldBudget
	askReceipts := y.receipts != nil && y.receipts.askFor(id)
	if askReceipts {
		defer y.receipts.askDone(id)
	}
	for _, r := range rooms {
		j := y.joined.Get(r)
		if j == nil || asked[r] != nil || j.liveOnly {
			continue // live only: its history is not asked for
		}
		room, err := y.syncRoom(ctx, j, id, &budget)
		if err != nil {
			return nil, err
		}
		y.skipBlocked(&room)
		if askReceipts {
			if room.ReceiptsAt, err = y.receiptsHeld(ctx, j); err != nil {
				return nil, err
			}
		}
		entries = append(entries, room)
		asked[r] = j
	}
	var full []string
	var errs []error
	for _, req := range syncRequests(entries, asked) {
		req.Receipts = askReceipts
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
func syncRequests(entries []p2p.SyncRoom, asked map[string]*Joined) []p2p.SyncRequest {
	var out []p2p.SyncRequest
	var cur p2p.SyncRequest
	size := 0
	for _, e := range entries {
		keys := len(e.Epochs)
		if j := asked[e.ID]; j != nil {
			keys = max(keys, len(j.allKeys(p2p.MaxSyncEpochs)))
		}
		n := len(e.ID) + 80*keys + 32
		for a := range e.Have {
			n += len(a) + 24
		}
		for a, b := range e.Held {
			n += len(a) + 4*len(b)/3 + 8
		}
		for m := range e.ReceiptsAt {
			n += len(m) + 24
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
// rooms whose answer filled a whole batch and brought something new.
func (y *Syncer) request(ctx context.Context, id peer.ID, req p2p.SyncRequest, asked map[string]*Joined) ([]string, error) {
	self := y.net.ID()
	inReq := make(map[string]*Joined, len(req.Rooms))
	for _, r := range req.Rooms {
		inReq[r.ID] = asked[r.ID]
	}
	counts, fresh := map[string]int{}, map[string]int{}
	var batch []pending
	receipts := &answerReceipts{y: y, asked: inReq}
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		added, err := y.commit.commit(ctx, storage.Replicated, batch)
		for _, e := range added {
			fresh[e.Room]++
		}
		batch = batch[:0]
		return err
	}
	prove := func(challenge []byte) p2p.SyncRequest {
		out := p2p.SyncRequest{Rooms: slices.Clone(req.Rooms), Receipts: req.Receipts}
		for i := range out.Rooms {
			out.Rooms[i].Epochs = epochProofs(inReq[out.Rooms[i].ID], self, id, challenge)
		}
		return out
	}
	err := y.net.Sync(ctx, id, prove, func(raw []byte) error {
		if hcrypto.IsReceipt(raw) {
			full, err := receipts.hold(raw)
			if err != nil || !full {
				return err
			}
			err = flush()
			receipts.admit(ctx)
			return err
		}
		env, err := hcrypto.UnmarshalEnvelope(raw)
		if err != nil {
			return err
		}
		j := inReq[env.Room]
		if j == nil {
			return errors.New("peer sent a room we did not ask for")
		}
		if !j.holds(env.Epoch) {
			return nil // an epoch we proved no key for: not ours to read
		}
		e, err := openEntry(self, j, env, raw)
		if errors.Is(err, errCutOff) {
			return nil // the sender may not know of the removal yet
		}
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
	receipts.admit(ctx)
	if len(receipts.in) > 0 {
		// Authenticated each, so kept even when the answer broke off.
		y.receipts.keep(ctx, receipts.in...)
	}
	if err != nil {
		return nil, err
	}
	y.asked.Add(1)
	if len(counts) == 0 && len(receipts.in) == 0 {
		y.idle.Add(1)
	}
	var full []string
	for r, n := range counts {
		if n >= p2p.MaxSyncBatch && fresh[r] > 0 {
			full = append(full, r)
		}
	}
	return full, nil
}

// epochProofs proves to responder every key of j held, newest epochs
// first (at most p2p.MaxSyncEpochs), for this stream's challenge.
func epochProofs(j *Joined, self, responder peer.ID, challenge []byte) []p2p.SyncEpoch {
	var out []p2p.SyncEpoch
	for _, k := range j.allKeys(p2p.MaxSyncEpochs) {
		proof := k.key.EpochProof(j.id, k.epoch, []byte(self), []byte(responder), challenge)
		out = append(out, p2p.SyncEpoch{Epoch: k.epoch, Proof: proof[:]})
	}
	return out
}

// proven lists the epochs of j whose key req proves from holds, for this
// stream's challenge.
func proven(j *Joined, r p2p.SyncRoom, from, self peer.ID, challenge []byte) map[uint64]bool {
	out := map[uint64]bool{}
	for _, e := range r.Epochs {
		if out[e.Epoch] {
			continue
		}
		for _, k := range j.keysOf(e.Epoch) {
			if k.CheckEpochProof(j.id, e.Epoch, []byte(from), []byte(self), challenge, e.Proof) {
				out[e.Epoch] = true
				break
			}
		}
	}
	return out
}

// skipBlocked claims, in a version vector sent with a sync request, to
// hold everything of each blocked author, so that members send none of
// their posts; their own posts after an unblock bring the real vector.
func (y *Syncer) skipBlocked(r *p2p.SyncRoom) {
	for _, id := range y.blocks.BlockedIDs() {
		if len(r.Have) >= p2p.MaxSyncAuthors {
			return
		}
		if r.Have == nil {
			r.Have = map[string]uint64{}
		}
		r.Have[id.String()] = math.MaxInt64
		delete(r.Held, id.String())
	}
}

// ServeSync answers a peer's sync request: for each room we are in, of
// the epochs whose key it proves it holds (for this stream's challenge),
// every envelope it lacks, neither those it says it holds above its
// vector nor any beyond p2p.SyncSeqWindow above it, which it would refuse.
// An envelope of an epoch it does not prove is never sent, so a member a
// re-key left out gets nothing posted after it. A live-only room is never
// answered: anyone holds its key. The answer also carries the envelopes
// of the room's kept forks (at most serveForks), so that every member
// finds a fork that only some saw both sides of; a member that found it
// already ignores them. A peer that proves an epoch may receive its gossip
// from now on (Net.MarkProven).
func (y *Syncer) ServeSync(ctx context.Context, from peer.ID, challenge []byte, req p2p.SyncRequest, send func([]byte) error) error {
	self := y.net.ID()
	var back []string
	defer func() {
		if len(back) > 0 {
			y.catchUp(from, back)
		}
	}()
	for _, r := range req.Rooms {
		j := y.joined.Get(r.ID)
		if j == nil || j.liveOnly {
			continue
		}
		epochs := proven(j, r, from, self, challenge)
		if len(epochs) == 0 {
			continue
		}
		if y.served != nil {
			y.served(j, from, epochs)
		}
		if y.markProven(j, from, epochs) {
			back = append(back, j.id)
		}
		v := storage.RoomVector{Heads: r.Have, Held: map[string][]uint64{}}
		for author, b := range r.Held {
			v.Held[author] = p2p.HeldSeqs(r.Have[author], b)
		}
		raws, err := y.store.RoomEnvelopesMissing(ctx, r.ID, v, p2p.SyncSeqWindow, p2p.MaxSyncBatch)
		if err != nil {
			return fmt.Errorf("read room envelopes: %w", err)
		}
		evidence, err := forkEvidence(ctx, y.store, r.ID)
		if err != nil {
			return fmt.Errorf("read room forks: %w", err)
		}
		raws = append(raws, evidence...)
		// Receipts name no epoch: only a peer that proves the newest one
		// (every member does) is told who read what.
		if newest, _ := j.current(); req.Receipts && y.receipts != nil && epochs[newest] {
			// What the asker holds is not sent again.
			newer, err := y.store.RoomReceiptsNewer(ctx, r.ID, r.ReceiptsAt)
			if err != nil {
				return fmt.Errorf("read room receipts: %w", err)
			}
			for _, s := range newer {
				raws = append(raws, s.Raw)
			}
		}
		for _, raw := range raws {
			if hcrypto.IsReceipt(raw) {
				// checked above
			} else if env, err := hcrypto.UnmarshalEnvelope(raw); err != nil || !epochs[env.Epoch] {
				continue
			}
			if err := send(raw); err != nil {
				return err
			}
		}
	}
	return nil
}

// markProven lets the gossip of the proven epochs' topics reach from. It
// reports whether from proved, for the first time, the room's newest
// epoch: we then prove ours back (the caller syncs with it), so that both
// sides graft each other into the topic's mesh, also when the room was
// joined after the two connected.
func (y *Syncer) markProven(j *Joined, from peer.ID, epochs map[uint64]bool) bool {
	newest, _ := j.current()
	first := false
	for e := range epochs {
		for _, k := range j.keysOf(e) {
			y.net.MarkProven(from, k.EpochTopic(j.id, e))
		}
		if e == newest {
			first = y.provedNewest(from, j.id, e)
		}
	}
	return first
}
