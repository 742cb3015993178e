package rooms

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"slices"
	"sync"
	"time"

	"hallway/storage"
)

// journal records, in order, what the fakes of one node were asked to do,
// so a test can tell which came first.
type journal struct {
	mu    sync.Mutex // guards lines
	lines []string
}

func (j *journal) add(format string, args ...any) {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.lines = append(j.lines, fmt.Sprintf(format, args...))
}

func (j *journal) all() []string {
	j.mu.Lock()
	defer j.mu.Unlock()
	return slices.Clone(j.lines)
}

type entryKey struct {
	room, author string
	seq          uint64
}

// fakeStore keeps rooms and room logs in memory, as storage.Store would.
type fakeStore struct {
	log *journal
	fakeInvites
	fakeCodes

	mu      sync.Mutex // guards the fields below
	rooms   map[string]storage.Room
	entries map[entryKey]storage.RoomEntry
	members map[string]map[string]string // room → peer → name
	durable map[entryKey]storage.Durability
	read    map[string]uint64 // room → read marker
	failIns error
	// nextSeqReads counts NextRoomSeq calls.
	nextSeqReads int
	forks        []storage.RoomFork
	epochKeys    []storage.EpochKey
	// receipts: (room, member) → the latest receipt
	receipts map[[2]string]storage.RoomReceipt
	// receiptBatches is who the receipts of each PutRoomReceipts are of.
	receiptBatches [][]string
}

func newFakeStore(log *journal) *fakeStore {
	return &fakeStore{log: log, rooms: map[string]storage.Room{}, entries: map[entryKey]storage.RoomEntry{},
		members: map[string]map[string]string{}, durable: map[entryKey]storage.Durability{}}
}

func (s *fakeStore) Rooms(_ context.Context, includeLeft bool) ([]storage.Room, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []storage.Room
	for _, r := range s.rooms {
		if includeLeft || !r.Left {
			out = append(out, r)
		}
	}
	return out, nil
}

func (s *fakeStore) Room(_ context.Context, id string) (storage.Room, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.rooms[id]
	r.LastReadHLC = max(r.LastReadHLC, s.read[id])
	return r, ok, nil
}

func (s *fakeStore) UpsertRoom(_ context.Context, r storage.Room) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rooms[r.ID] = r
	s.log.add("upsert room %s", r.ID)
	return nil
}

func (s *fakeStore) LeaveRoom(_ context.Context, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.rooms[id]
	if !ok {
		return storage.ErrNoRoom
	}
	r.Left = true
	s.rooms[id] = r
	return nil
}

func (s *fakeStore) RoomMembers(_ context.Context, room string) ([]storage.Member, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []storage.Member
	for p, name := range s.members[room] {
		out = append(out, storage.Member{Peer: p, Name: name})
	}
	slices.SortFunc(out, func(a, b storage.Member) int { return cmpString(a.Peer, b.Peer) })
	return out, nil
}

func (s *fakeStore) RoomMemberCount(ctx context.Context, room string) (int, error) {
	ms, err := s.RoomMembers(ctx, room)
	return len(ms), err
}

func cmpString(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func (s *fakeStore) UnreadCount(context.Context, string, string) (int, error) { return 0, nil }

func (s *fakeStore) NextRoomSeq(_ context.Context, room, author string) (uint64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.nextSeqReads++
	// As storage.Store: one past the highest held, so a message of ours
	// that sync brings back moves the next seq past it.
	var top uint64
	for k := range s.entries {
		if k.room == room && k.author == author && k.seq > top {
			top = k.seq
		}
	}
	return top + 1, nil
}

func (s *fakeStore) InsertRoomEntriesWith(ctx context.Context, d storage.Durability, entries []storage.RoomEntry) ([]storage.RoomEntry, error) {
	in, err := s.InsertRoomEntriesChecked(ctx, d, entries)
	return in.Added, err
}

func (s *fakeStore) InsertRoomEntriesChecked(_ context.Context, d storage.Durability, entries []storage.RoomEntry) (storage.RoomInsert, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.failIns != nil {
		return storage.RoomInsert{}, s.failIns
	}
	var added []storage.RoomEntry
	var conflicts []storage.RoomConflict
	for _, e := range entries {
		k := entryKey{e.Room, e.Author, e.Seq}
		if held, ok := s.entries[k]; ok {
			if !bytes.Equal(held.Raw, e.Raw) {
				conflicts = append(conflicts, storage.RoomConflict{Entry: e, Held: held.Raw})
			}
			continue
		}
		if e.Message.ReceivedAt.IsZero() {
			e.Message.ReceivedAt = time.Now() // as storage stamps it
		}
		s.entries[k] = e
		s.durable[k] = d
		if e.Member != nil {
			if s.members[e.Room] == nil {
				s.members[e.Room] = map[string]string{}
			}
			if e.Member.Joined {
				s.members[e.Room][e.Member.Peer] = e.Member.Name
			} else {
				delete(s.members[e.Room], e.Member.Peer)
			}
		}
		added = append(added, e)
		s.log.add("insert %s/%d", e.Room, e.Seq)
	}
	return storage.RoomInsert{Added: added, Conflicts: conflicts, Chains: s.chainsAroundLocked(added)}, nil
}

// chainsAroundLocked is what storage reads in the inserting transaction:
// per author of added, the seqs added and the links held from the seq
// before the first to the one after the last.
func (s *fakeStore) chainsAroundLocked(added []storage.RoomEntry) map[storage.ChainKey]storage.Chain {
	if len(added) == 0 {
		return nil
	}
	out := map[storage.ChainKey]storage.Chain{}
	for _, e := range added {
		k := storage.ChainKey{Room: e.Room, Author: e.Author}
		c := out[k]
		c.Added = append(c.Added, e.Seq)
		out[k] = c
	}
	for k, c := range out {
		for seq := max(slices.Min(c.Added), 2) - 1; seq <= slices.Max(c.Added)+1; seq++ {
			if e, ok := s.entries[entryKey{k.Room, k.Author, seq}]; ok {
				c.Links = append(c.Links, storage.ChainLink{Seq: seq, Prev: e.Prev, Link: sha256.Sum256(e.Raw)})
			}
		}
		out[k] = c
	}
	return out
}

func (s *fakeStore) AddRoomFork(_ context.Context, f storage.RoomFork) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, g := range s.forks {
		if g.Room == f.Room && g.Author == f.Author {
			if bytes.Equal(g.Other, f.Other) {
				return false, nil
			}
			n++
		}
	}
	if n >= storage.MaxForksPerAuthor {
		return false, nil
	}
	s.forks = append(s.forks, f)
	s.log.add("fork %s/%d", f.Room, f.Seq)
	return true, nil
}

func (s *fakeStore) RoomForks(_ context.Context, room string) ([]storage.RoomFork, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []storage.RoomFork
	for _, f := range s.forks {
		if f.Room == room {
			out = append(out, f)
		}
	}
	return out, nil
}

// heads is, per author, the highest seq held contiguously from 1.
func (s *fakeStore) heads(room string) map[string]uint64 {
	out := map[string]uint64{}
	for k := range s.entries {
		if k.room == room {
			out[k.author] = 0
		}
	}
	for author := range out {
		for {
			if _, ok := s.entries[entryKey{room, author, out[author] + 1}]; !ok {
				break
			}
			out[author]++
		}
	}
	return out
}

func (s *fakeStore) RoomHeads(_ context.Context, room string) (map[string]uint64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.heads(room), nil
}

func (s *fakeStore) RoomVectorOf(_ context.Context, room string, window uint64) (storage.RoomVector, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v := storage.RoomVector{Heads: s.heads(room), Held: map[string][]uint64{}}
	for k := range s.entries {
		if h := v.Heads[k.author]; k.room == room && k.seq > h {
			v.Held[k.author] = append(v.Held[k.author], k.seq)
		}
	}
	for a, seqs := range v.Held {
		slices.Sort(seqs)
		v.Held[a] = slices.DeleteFunc(seqs, func(q uint64) bool { return q-seqs[0] >= window })
	}
	for a, h := range v.Heads {
		if h == 0 {
			delete(v.Heads, a)
		}
	}
	return v, nil
}

func (s *fakeStore) RoomEnvelopesMissing(_ context.Context, room string, v storage.RoomVector, window uint64, limit int) ([][]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var missing []storage.RoomEntry
	for k, e := range s.entries {
		have, held := v.Heads[k.author], v.Held[k.author]
		if k.room != room || k.seq <= have || slices.Contains(held, k.seq) {
			continue
		}
		if window > 0 && len(held) > 0 { // as storage serves: see storage.RoomEnvelopesMissing
			lo, hi := slices.Min(held), slices.Max(held)
			if k.seq-have > window && max(hi, k.seq)-min(lo, k.seq) >= window {
				continue
			}
		}
		missing = append(missing, e)
	}
	slices.SortFunc(missing, func(a, b storage.RoomEntry) int {
		if a.HLC != b.HLC {
			return cmpUint(a.HLC, b.HLC)
		}
		if c := cmpString(a.Author, b.Author); c != 0 {
			return c
		}
		return cmpUint(a.Seq, b.Seq)
	})
	if limit > 0 && len(missing) > limit {
		missing = missing[:limit]
	}
	var out [][]byte
	for _, e := range missing {
		out = append(out, e.Raw)
	}
	return out, nil
}

func cmpUint(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func (s *fakeStore) RoomHistory(_ context.Context, room string, _ *storage.Cursor, limit int) ([]storage.Message, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var rows []storage.Message
	for k, e := range s.entries {
		if k.room == room {
			rows = append(rows, e.Message)
		}
	}
	slices.SortFunc(rows, func(a, b storage.Message) int { return cmpUint(a.HLC, b.HLC) })
	if len(rows) > limit {
		rows = rows[len(rows)-limit:]
	}
	return rows, nil
}

func (s *fakeStore) MarkRoomRead(_ context.Context, room string, hlc uint64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.read == nil {
		s.read = map[string]uint64{}
	}
	s.read[room] = max(s.read[room], hlc)
	return nil
}

// readMarker is the room's read marker, as MarkRoomRead left it.
func (s *fakeStore) readMarker(room string) uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.read[room]
}

// entry is the stored entry of room, author and seq.
func (s *fakeStore) entry(room, author string, seq uint64) (storage.RoomEntry, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.entries[entryKey{room, author, seq}]
	return e, ok
}

// count is how many envelopes of room the store holds.
func (s *fakeStore) count(room string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for k := range s.entries {
		if k.room == room {
			n++
		}
	}
	return n
}

func (s *fakeStore) HeldSpan(_ context.Context, room, author string, head uint64) (lo, hi uint64, ok bool, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for k := range s.entries {
		if k.room == room && k.author == author && k.seq > head {
			if !ok {
				lo, hi, ok = k.seq, k.seq, true
			}
			lo, hi = min(lo, k.seq), max(hi, k.seq)
		}
	}
	return lo, hi, ok, nil
}

// RoomOps lists the operations among the entries held, as storage keeps
// them alongside.
func (s *fakeStore) RoomOps(_ context.Context, room string) ([]storage.RoomOp, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []storage.RoomOp
	for k, e := range s.entries {
		if k.room == room && e.Op != nil {
			out = append(out, storage.RoomOp{Hash: e.Op.Hash, ID: e.Message.ID, Author: e.Author, Seq: e.Seq,
				Op: e.Op.Op, Name: e.Op.Name})
		}
	}
	return out, nil
}

func (s *fakeStore) AddRoomEpochKey(_ context.Context, k storage.EpochKey) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, h := range s.epochKeys {
		if h.Room == k.Room && h.Epoch == k.Epoch {
			if h.Commit == k.Commit {
				return false, nil
			}
			n++
		}
	}
	if n >= storage.MaxEpochKeys {
		return false, nil
	}
	s.epochKeys = append(s.epochKeys, k)
	return true, nil
}

func (s *fakeStore) RoomEpochKeys(_ context.Context, room string) ([]storage.EpochKey, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []storage.EpochKey
	for _, k := range s.epochKeys {
		if k.Room == room {
			out = append(out, k)
		}
	}
	return out, nil
}

func (s *fakeStore) RoomEnvelope(_ context.Context, room, author string, seq uint64) ([]byte, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.entries[entryKey{room, author, seq}]
	return e.Raw, ok, nil
}

func (s *fakeStore) PutRoomReceipts(_ context.Context, rs []storage.RoomReceipt) ([]bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.receipts == nil {
		s.receipts = map[[2]string]storage.RoomReceipt{}
	}
	var members []string
	for _, r := range rs {
		members = append(members, r.Member)
	}
	s.receiptBatches = append(s.receiptBatches, members)
	newer := make([]bool, len(rs))
	for i, r := range rs {
		k := [2]string{r.Room, r.Member}
		if old, ok := s.receipts[k]; ok && old.At >= r.At {
			continue
		}
		s.receipts[k] = r
		newer[i] = true
	}
	return newer, nil
}

func (s *fakeStore) batchesOfReceipts() [][]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.receiptBatches)
}

func (s *fakeStore) RoomReceipts(_ context.Context, room string) ([]storage.RoomReceipt, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []storage.RoomReceipt
	for k, r := range s.receipts {
		if k[0] == room {
			out = append(out, r)
		}
	}
	slices.SortFunc(out, func(a, b storage.RoomReceipt) int { return cmpString(a.Member, b.Member) })
	return out, nil
}

func (s *fakeStore) RoomReceiptClocks(ctx context.Context, room string) (map[string]int64, error) {
	all, _ := s.RoomReceipts(ctx, room)
	out := map[string]int64{}
	for _, r := range all {
		out[r.Member] = r.At
	}
	return out, nil
}

func (s *fakeStore) RoomReceiptsNewer(ctx context.Context, room string, held map[string]int64) ([]storage.RoomReceipt, error) {
	all, _ := s.RoomReceipts(ctx, room)
	var out []storage.RoomReceipt
	for _, r := range all {
		if at, ok := held[r.Member]; !ok || r.At > at {
			out = append(out, r)
		}
	}
	return out, nil
}

func (s *fakeStore) RoomReadSeqs(_ context.Context, room string, hlc uint64) (map[string]uint64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]uint64{}
	for k, e := range s.entries {
		if k.room == room && e.HLC <= hlc {
			out[k.author] = max(out[k.author], k.seq)
		}
	}
	return out, nil
}

func (s *fakeStore) FirstRoomJoin(_ context.Context, room string) (string, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var best *storage.RoomEntry
	for k, e := range s.entries {
		if k.room != room || e.Message.Kind != storage.KindJoin {
			continue
		}
		if best == nil || e.HLC < best.HLC || (e.HLC == best.HLC && e.Author < best.Author) {
			best = &e
		}
	}
	if best == nil {
		return "", false, nil
	}
	return best.Author, true, nil
}

func (s *fakeStore) MessageByID(_ context.Context, author, id string) (storage.Message, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, e := range s.entries {
		if e.Message.Author == author && e.Message.ID == id {
			return e.Message, true, nil
		}
	}
	return storage.Message{}, false, nil
}
