package storage

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
)

// entry builds author's seq-th envelope in room at clock hlc, its raw bytes
// naming it so that tests can tell envelopes apart.
func entry(room, author string, seq, hlc uint64) RoomEntry {
	return RoomEntry{Room: room, Author: author, Seq: seq, HLC: hlc, Raw: []byte(envName(room, author, seq)),
		Message: Message{ID: fmt.Sprintf("%s-%d", room, seq), Text: fmt.Sprintf("message %d", seq)}}
}

func envName(room, author string, seq uint64) string {
	return fmt.Sprintf("%s/%s/%d", room, author, seq)
}

func entryNames(entries []RoomEntry) []string {
	var out []string
	for _, e := range entries {
		out = append(out, envName(e.Room, e.Author, e.Seq))
	}
	return out
}

func countRows(t *testing.T, s *Store, table string) int {
	t.Helper()
	var n int
	if err := s.reader.QueryRowContext(t.Context(), "SELECT count(*) FROM "+table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestInsertRoomEntriesIdempotent(t *testing.T) {
	s := newTestStore(t)
	ctx := t.Context()
	first := []RoomEntry{entry("r1", bob, 1, 10), entry("r1", cat, 1, 11), entry("r1", bob, 2, 12)}
	mixed := []RoomEntry{entry("r1", cat, 1, 11), entry("r1", cat, 2, 13), entry("r1", bob, 2, 12)}
	inBatch := []RoomEntry{entry("r1", bob, 3, 14), entry("r1", bob, 3, 99), entry("r1", cat, 3, 15)}
	inBatch[1].Raw, inBatch[1].Message.Text = []byte("impostor"), "second copy"
	steps := []struct {
		name      string
		batch     []RoomEntry
		want      []string
		wantCount int
	}{
		{name: "new batch", batch: first, want: entryNames(first), wantCount: 3},
		{name: "same batch again", batch: first, want: nil, wantCount: 3},
		{name: "old and new mixed", batch: mixed, want: entryNames(mixed[1:2]), wantCount: 4},
		{name: "repeat inside a batch: first wins", batch: inBatch,
			want: []string{envName("r1", bob, 3), envName("r1", cat, 3)}, wantCount: 6},
		{name: "empty batch", batch: nil, want: nil, wantCount: 6},
	}
	for _, st := range steps {
		added, err := s.InsertRoomEntries(ctx, st.batch)
		if err != nil {
			t.Fatalf("%s: InsertRoomEntries: %v", st.name, err)
		}
		if got := entryNames(added); !slices.Equal(got, st.want) {
			t.Errorf("%s: added %v, want %v", st.name, got, st.want)
		}
		for _, e := range added {
			m := e.Message
			if m.Seq <= 0 || m.Conv != "room:r1" || m.Author != e.Author || m.HLC != e.HLC ||
				m.AuthorSeq != e.Seq || m.Kind != KindText || m.State != StateReceived || m.SentAt.IsZero() {
				t.Errorf("%s: message not filled in: %+v", st.name, m)
			}
			if stored, ok, err := s.MessageByID(ctx, e.Author, m.ID); err != nil || !ok || stored != m {
				t.Errorf("%s: MessageByID = %+v, %v, %v; want %+v", st.name, stored, ok, err, m)
			}
		}
		for _, table := range []string{"room_envelopes", "messages"} {
			if n := countRows(t, s, table); n != st.wantCount {
				t.Errorf("%s: %s holds %d rows, want %d", st.name, table, n, st.wantCount)
			}
		}
	}
	if m, _, _ := s.MessageByID(ctx, bob, "r1-3"); m.Text != "message 3" || m.HLC != 14 {
		t.Errorf("repeated entry replaced the first: %+v", m)
	}
	if n, err := s.CountRoomEnvelopes(ctx, "r1"); err != nil || n != 6 {
		t.Errorf("CountRoomEnvelopes = %d, %v; want 6", n, err)
	}
}

func TestInsertRoomEntriesKeepsMessageFields(t *testing.T) {
	s := newTestStore(t)
	ctx := t.Context()
	own := entry("r1", me, 1, 10)
	own.Message.State = StateSent
	invite := entry("r1", me, 2, 11)
	invite.Message.Kind, invite.Message.Meta = KindInvite, `{"room":"r9","key":"..."}`
	complete := entry("r1", me, 3, 12)
	complete.Message.Conv, complete.Message.Author, complete.Message.HLC, complete.Message.AuthorSeq = "room:r1", me, 12, 3
	noRaw := entry("r1", me, 4, 13)
	noRaw.Raw = nil
	added, err := s.InsertRoomEntries(ctx, []RoomEntry{own, invite, complete, noRaw})
	if err != nil {
		t.Fatal(err)
	}
	if len(added) != 4 {
		t.Fatalf("added %d entries, want 4", len(added))
	}
	tests := []struct {
		name      string
		got       Message
		wantState State
		wantKind  string
		wantMeta  string
	}{
		{name: "state given", got: added[0].Message, wantState: StateSent, wantKind: KindText},
		{name: "invite with meta", got: added[1].Message, wantState: StateReceived, wantKind: KindInvite, wantMeta: invite.Message.Meta},
		{name: "fields already set", got: added[2].Message, wantState: StateReceived, wantKind: KindText},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.got.State != tc.wantState || tc.got.Kind != tc.wantKind || tc.got.Meta != tc.wantMeta {
				t.Errorf("got %+v; want state %q kind %q meta %q", tc.got, tc.wantState, tc.wantKind, tc.wantMeta)
			}
			stored, _, err := s.MessageByID(ctx, me, tc.got.ID)
			if err != nil || stored != tc.got {
				t.Errorf("stored %+v, %v; want %+v", stored, err, tc.got)
			}
		})
	}
	envs, err := s.RoomEnvelopesAfter(ctx, "r1", map[string]uint64{me: 3}, 0)
	if err != nil || len(envs) != 1 || len(envs[0]) != 0 {
		t.Errorf("envelope stored without raw bytes = %q, %v; want one empty envelope", envs, err)
	}
}

func TestInsertRoomEntriesRejects(t *testing.T) {
	s := newTestStore(t)
	ctx := t.Context()
	mutate := func(f func(e *RoomEntry)) RoomEntry {
		e := entry("r1", bob, 2, 20)
		f(&e)
		return e
	}
	tests := []struct {
		name    string
		bad     RoomEntry
		wantErr string
	}{
		{name: "no room", bad: mutate(func(e *RoomEntry) { e.Room = "" }), wantErr: "empty room"},
		{name: "no author", bad: mutate(func(e *RoomEntry) { e.Author = "" }), wantErr: "empty author"},
		{name: "seq zero", bad: mutate(func(e *RoomEntry) { e.Seq = 0 }), wantErr: "seq"},
		{name: "seq beyond int64", bad: mutate(func(e *RoomEntry) { e.Seq = math.MaxInt64 + 1 }), wantErr: "seq"},
		{name: "clock beyond int64", bad: mutate(func(e *RoomEntry) { e.HLC = math.MaxUint64 }), wantErr: "clock"},
		{name: "member without peer", bad: mutate(func(e *RoomEntry) { e.Member = &MemberChange{Joined: true} }), wantErr: "peer"},
		{name: "message in another conversation", bad: mutate(func(e *RoomEntry) { e.Message.Conv = "dm:" + bob }), wantErr: "conversation"},
		{name: "message by someone else", bad: mutate(func(e *RoomEntry) { e.Message.Author = cat }), wantErr: "author"},
		{name: "message clock differs", bad: mutate(func(e *RoomEntry) { e.Message.HLC = 21 }), wantErr: "clock"},
		{name: "message seq differs", bad: mutate(func(e *RoomEntry) { e.Message.AuthorSeq = 3 }), wantErr: "seq"},
		{name: "message without id", bad: mutate(func(e *RoomEntry) { e.Message.ID = "" }), wantErr: "message id"},
		{name: "unknown kind", bad: mutate(func(e *RoomEntry) { e.Message.Kind = "poll" }), wantErr: "kind"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			added, err := s.InsertRoomEntries(ctx, []RoomEntry{entry("r1", bob, 1, 10), tc.bad})
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("err = %v, want one containing %q", err, tc.wantErr)
			}
			if added != nil {
				t.Errorf("added = %v, want nil", entryNames(added))
			}
			if n := countRows(t, s, "room_envelopes"); n != 0 {
				t.Errorf("a rejected batch stored %d envelopes", n)
			}
		})
	}
}

// An author reusing a message ID of its own gets its envelope kept, so that
// sync still converges, but nothing shown twice under one ID.
func TestInsertRoomEntriesReusedMessageID(t *testing.T) {
	s := newTestStore(t)
	ctx := t.Context()
	dm, _, err := s.InsertIncoming(ctx, Message{ID: "r1-1", Conv: "dm:" + bob, Author: bob, Text: "direct"})
	if err != nil {
		t.Fatal(err)
	}
	added, err := s.InsertRoomEntries(ctx, []RoomEntry{entry("r1", bob, 1, 10), entry("r1", bob, 2, 11)})
	if err != nil {
		t.Fatal(err)
	}
	if got := entryNames(added); !slices.Equal(got, []string{envName("r1", bob, 2)}) {
		t.Errorf("added %v, want only seq 2", got)
	}
	if m, _, _ := s.MessageByID(ctx, bob, "r1-1"); m != dm {
		t.Errorf("MessageByID = %+v, want the direct message %+v", m, dm)
	}
	if heads, err := s.RoomHeads(ctx, "r1"); err != nil || heads[bob] != 2 {
		t.Errorf("RoomHeads = %v, %v; want %s at 2", heads, err, bob)
	}
}

func TestRoomHeadsAdvance(t *testing.T) {
	s := newTestStore(t)
	ctx := t.Context()
	steps := []struct {
		name      string
		author    string
		seqs      []uint64
		wantHeads map[string]uint64 // of room r1
		wantNext  uint64            // NextRoomSeq of author
	}{
		{name: "gap", author: bob, seqs: []uint64{1, 2, 4}, wantHeads: map[string]uint64{bob: 2}, wantNext: 5},
		{name: "gap filled", author: bob, seqs: []uint64{3}, wantHeads: map[string]uint64{bob: 4}, wantNext: 5},
		{name: "ahead again", author: bob, seqs: []uint64{6, 7}, wantHeads: map[string]uint64{bob: 4}, wantNext: 8},
		{name: "jump over a run", author: bob, seqs: []uint64{5}, wantHeads: map[string]uint64{bob: 7}, wantNext: 8},
		{name: "author missing its first", author: cat, seqs: []uint64{2, 3}, wantHeads: map[string]uint64{bob: 7}, wantNext: 4},
		{name: "first arrives last", author: cat, seqs: []uint64{1}, wantHeads: map[string]uint64{bob: 7, cat: 3}, wantNext: 4},
		{name: "reversed batch", author: me, seqs: []uint64{3, 2, 1}, wantHeads: map[string]uint64{bob: 7, cat: 3, me: 3}, wantNext: 4},
		{name: "duplicates change nothing", author: bob, seqs: []uint64{1, 7}, wantHeads: map[string]uint64{bob: 7, cat: 3, me: 3}, wantNext: 8},
	}
	for _, st := range steps {
		var batch []RoomEntry
		for _, seq := range st.seqs {
			batch = append(batch, entry("r1", st.author, seq, seq*10), entry("r2", st.author, seq+100, seq))
		}
		if _, err := s.InsertRoomEntries(ctx, batch); err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		heads, err := s.RoomHeads(ctx, "r1")
		if err != nil {
			t.Fatalf("%s: RoomHeads: %v", st.name, err)
		}
		if fmt.Sprint(heads) != fmt.Sprint(st.wantHeads) {
			t.Errorf("%s: RoomHeads = %v, want %v", st.name, heads, st.wantHeads)
		}
		if next, err := s.NextRoomSeq(ctx, "r1", st.author); err != nil || next != st.wantNext {
			t.Errorf("%s: NextRoomSeq = %d, %v; want %d", st.name, next, err, st.wantNext)
		}
	}
	if next, err := s.NextRoomSeq(ctx, "r1", "12D3KooWNobody"); err != nil || next != 1 {
		t.Errorf("NextRoomSeq of a new author = %d, %v; want 1", next, err)
	}
	// r2 holds seqs from 101 only: nothing contiguous, but the next is known.
	if heads, err := s.RoomHeads(ctx, "r2"); err != nil || len(heads) != 0 {
		t.Errorf("RoomHeads(r2) = %v, %v; want empty", heads, err)
	}
	if next, err := s.NextRoomSeq(ctx, "r2", bob); err != nil || next != 108 {
		t.Errorf("NextRoomSeq(r2) = %d, %v; want 108", next, err)
	}
}
