package storage

import (
	"bytes"
	"crypto/sha256"
	"slices"
	"testing"
)

// The log keeps each envelope's link and the link it names, and reads
// them back by seq range; an envelope stored before links were kept is
// hashed when read.
func TestChainLinks(t *testing.T) {
	s := newTestStore(t)
	ctx := t.Context()
	one, two := entry("r1", bob, 1, 10), entry("r1", bob, 2, 11)
	link1 := sha256.Sum256(one.Raw)
	two.Prev = link1[:]
	if _, err := s.InsertRoomEntries(ctx, []RoomEntry{one, two}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.writer.ExecContext(ctx, `UPDATE room_envelopes SET link = NULL WHERE seq = 1`); err != nil {
		t.Fatal(err)
	}
	links, err := s.ChainLinks(ctx, "r1", bob, 1, 5)
	if err != nil {
		t.Fatal(err)
	}
	if len(links) != 2 || links[0].Link != link1 || links[0].Prev != nil || !bytes.Equal(links[1].Prev, link1[:]) ||
		links[1].Link != sha256.Sum256(two.Raw) {
		t.Fatalf("links %+v", links)
	}
	raw, ok, err := s.RoomEnvelope(ctx, "r1", bob, 2)
	if err != nil || !ok || !bytes.Equal(raw, two.Raw) {
		t.Fatalf("envelope 2: %q %v %v", raw, ok, err)
	}
	if _, ok, err := s.RoomEnvelope(ctx, "r1", bob, 3); ok || err != nil {
		t.Fatalf("envelope 3: %v %v", ok, err)
	}
}

// A checked insert returns, for each author of what it added, the links
// held from the seq before the first added to the one after the last, as
// ChainLinks reads them once it has committed.
func TestInsertReturnsTheLinksAroundWhatItAdded(t *testing.T) {
	s := newTestStore(t)
	ctx := t.Context()
	insert := func(es ...RoomEntry) RoomInsert {
		t.Helper()
		in, err := s.InsertRoomEntriesChecked(ctx, Replicated, es)
		if err != nil {
			t.Fatal(err)
		}
		return in
	}
	seqs := func(links []ChainLink) []uint64 {
		var out []uint64
		for _, l := range links {
			out = append(out, l.Seq)
		}
		return out
	}
	same := func(k ChainKey, got []ChainLink, lo, hi uint64) {
		t.Helper()
		want, err := s.ChainLinks(ctx, k.Room, k.Author, lo, hi)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(want) {
			t.Fatalf("%v: links of seqs %v, ChainLinks reads %v", k, seqs(got), seqs(want))
		}
		for i := range got {
			if got[i].Seq != want[i].Seq || got[i].Link != want[i].Link || !bytes.Equal(got[i].Prev, want[i].Prev) {
				t.Fatalf("%v: link %d is %+v, ChainLinks reads %+v", k, i, got[i], want[i])
			}
		}
	}
	bobs, cats := ChainKey{"r1", bob}, ChainKey{"r1", cat}
	one, two, four := entry("r1", bob, 1, 10), entry("r1", bob, 2, 11), entry("r1", bob, 4, 13)
	link1 := sha256.Sum256(one.Raw)
	two.Prev = link1[:]
	in := insert(one, entry("r1", cat, 7, 12))
	if len(in.Links) != 2 || !slices.Equal(seqs(in.Links[bobs]), []uint64{1}) || !slices.Equal(seqs(in.Links[cats]), []uint64{7}) {
		t.Fatalf("bob's 1 and cat's 7 into an empty room: links %v", in.Links)
	}
	in = insert(four, two)
	if len(in.Links) != 1 || !slices.Equal(seqs(in.Links[bobs]), []uint64{1, 2, 4}) {
		t.Fatalf("bob's 4 and 2 after his 1: links %v, want seqs 1, 2 and 4 (1 to 5)", in.Links)
	}
	same(bobs, in.Links[bobs], 1, 5)
	if !bytes.Equal(in.Links[bobs][1].Prev, link1[:]) {
		t.Fatalf("bob's 2 names %x, want %x", in.Links[bobs][1].Prev, link1)
	}
	in = insert(entry("r1", bob, 3, 14))
	same(bobs, in.Links[bobs], 2, 4)
	if !slices.Equal(seqs(in.Links[bobs]), []uint64{2, 3, 4}) {
		t.Fatalf("bob's 3 into the hole: links of seqs %v, want 2, 3 and 4", seqs(in.Links[bobs]))
	}
	if in = insert(entry("r1", bob, 3, 14)); len(in.Added) != 0 || in.Links != nil {
		t.Fatalf("nothing added: links %v", in.Links)
	}
	if added, err := s.InsertRoomEntriesWith(ctx, Replicated, []RoomEntry{entry("r1", bob, 5, 15)}); err != nil || len(added) != 1 {
		t.Fatalf("unchecked insert: %d added, %v", len(added), err)
	}
}

// Only a newer receipt replaces a member's kept one; read seqs follow the
// marker's clock.
func TestRoomReceiptsLatestPerMember(t *testing.T) {
	s := newTestStore(t)
	ctx := t.Context()
	put := func(at int64, raw string) bool {
		t.Helper()
		newer, err := s.PutRoomReceipts(ctx, []RoomReceipt{{Room: "r1", Member: bob, At: at, Raw: []byte(raw)}})
		if err != nil {
			t.Fatal(err)
		}
		return newer[0]
	}
	if !put(5, "five") || put(5, "five again") || put(4, "four") || !put(6, "six") {
		t.Fatal("a receipt replaced by one not newer, or a newer one refused")
	}
	got, err := s.RoomReceipts(ctx, "r1")
	if err != nil || len(got) != 1 || string(got[0].Raw) != "six" || got[0].At != 6 {
		t.Fatalf("receipts %+v, %v", got, err)
	}
	if _, err := s.PutRoomReceipts(ctx, []RoomReceipt{{Room: "r1", Member: bob, At: 9, Raw: make([]byte, MaxReceiptBytes+1)}}); err == nil {
		t.Fatal("an oversized receipt kept")
	}
	// A batch, as a sync answer brings: each receipt judged against the
	// one held, including an earlier one of the same batch.
	newer, err := s.PutRoomReceipts(ctx, []RoomReceipt{
		{Room: "r1", Member: bob, At: 6, Raw: []byte("six again")},
		{Room: "r1", Member: cat, At: 3, Raw: []byte("cat three")},
		{Room: "r1", Member: cat, At: 2, Raw: []byte("cat two")},
		{Room: "r2", Member: bob, At: 1, Raw: []byte("bob in r2")},
	})
	if err != nil || !slices.Equal(newer, []bool{false, true, false, true}) {
		t.Fatalf("batch: newer %v, %v", newer, err)
	}
	if _, err := s.PutRoomReceipts(ctx, []RoomReceipt{{Room: "r1", Member: cat, At: 7, Raw: []byte("seven")}, {Room: "r1", At: 8, Raw: []byte("x")}}); err == nil {
		t.Fatal("a batch with a receipt of no member kept")
	}
	got, err = s.RoomReceipts(ctx, "r1")
	if err != nil || len(got) != 2 {
		t.Fatalf("receipts after the batches %+v, %v", got, err)
	}
	for _, r := range got {
		if want := map[string]string{bob: "six", cat: "cat three"}[r.Member]; string(r.Raw) != want {
			t.Errorf("%s's receipt %q, want %q (a refused batch must keep nothing)", r.Member, r.Raw, want)
		}
	}
	if _, err := s.InsertRoomEntries(ctx, []RoomEntry{entry("r1", bob, 1, 10), entry("r1", bob, 2, 20)}); err != nil {
		t.Fatal(err)
	}
	read, err := s.RoomReadSeqs(ctx, "r1", 15)
	if err != nil || read[bob] != 1 {
		t.Fatalf("read seqs at 15: %v %v", read, err)
	}
}
