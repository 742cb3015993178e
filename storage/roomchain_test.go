package storage

import (
	"bytes"
	"crypto/sha256"
	"slices"
	"testing"
)

// wantLinks are the links of es as the log holds them: each one's own
// (the hash of its envelope) and the one its body names.
func wantLinks(es ...RoomEntry) []ChainLink {
	out := make([]ChainLink, len(es))
	for i, e := range es {
		out[i] = ChainLink{Seq: e.Seq, Prev: e.Prev, Link: sha256.Sum256(e.Raw)}
	}
	return out
}

func sameLinks(got, want []ChainLink) bool {
	return slices.EqualFunc(got, want, func(a, b ChainLink) bool {
		return a.Seq == b.Seq && a.Link == b.Link && bytes.Equal(a.Prev, b.Prev)
	})
}

// The log keeps each envelope's link and the link it names; an envelope
// stored before links were kept is hashed when its links are read.
func TestChainLinksOfEnvelopesStoredWithoutOne(t *testing.T) {
	s := newTestStore(t)
	ctx := t.Context()
	one, two := entry("r1", bob, 1, 10), entry("r1", bob, 2, 11)
	link1 := sha256.Sum256(one.Raw)
	two.Prev = link1[:]
	if _, err := s.InsertRoomEntries(ctx, []RoomEntry{one}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.writer.ExecContext(ctx, `UPDATE room_envelopes SET link = NULL WHERE seq = 1`); err != nil {
		t.Fatal(err)
	}
	in, err := s.InsertRoomEntriesChecked(ctx, Replicated, []RoomEntry{two})
	if err != nil {
		t.Fatal(err)
	}
	if got := in.Chains[ChainKey{"r1", bob}]; !slices.Equal(got.Added, []uint64{2}) || !sameLinks(got.Links, wantLinks(one, two)) {
		t.Fatalf("chain %+v, want seq 2 added and the links of 1 and 2", got)
	}
	raw, ok, err := s.RoomEnvelope(ctx, "r1", bob, 2)
	if err != nil || !ok || !bytes.Equal(raw, two.Raw) {
		t.Fatalf("envelope 2: %q %v %v", raw, ok, err)
	}
	if _, ok, err := s.RoomEnvelope(ctx, "r1", bob, 3); ok || err != nil {
		t.Fatalf("envelope 3: %v %v", ok, err)
	}
}

// A checked insert returns, for each author of what it added, the seqs
// added and the links held from the seq before the first added to the
// one after the last.
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
	check := func(what string, in RoomInsert, k ChainKey, added []uint64, links ...RoomEntry) {
		t.Helper()
		if got := in.Chains[k]; !slices.Equal(got.Added, added) || !sameLinks(got.Links, wantLinks(links...)) {
			t.Fatalf("%s: %v's chain %+v, want %v added and links %+v", what, k, got, added, wantLinks(links...))
		}
	}
	bobs, cats := ChainKey{"r1", bob}, ChainKey{"r1", cat}
	one, two, three, four := entry("r1", bob, 1, 10), entry("r1", bob, 2, 11), entry("r1", bob, 3, 14), entry("r1", bob, 4, 13)
	link1 := sha256.Sum256(one.Raw)
	two.Prev = link1[:]
	seven := entry("r1", cat, 7, 12)
	in := insert(one, seven)
	if len(in.Chains) != 2 {
		t.Fatalf("bob's 1 and cat's 7 into an empty room: chains %v", in.Chains)
	}
	check("into an empty room", in, bobs, []uint64{1}, one)
	check("into an empty room", in, cats, []uint64{7}, seven)
	in = insert(four, two)
	if len(in.Chains) != 1 {
		t.Fatalf("bob's 4 and 2 after his 1: chains %v", in.Chains)
	}
	check("bob's 4 and 2 after his 1 (links 1 to 5)", in, bobs, []uint64{4, 2}, one, two, four)
	check("into the hole (links 2 to 4)", insert(three), bobs, []uint64{3}, two, three, four)
	if in = insert(three); len(in.Added) != 0 || in.Chains != nil {
		t.Fatalf("nothing added: chains %v", in.Chains)
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
