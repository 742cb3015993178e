package storage

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestRetentionPoliciesAndHolds(t *testing.T) {
	s := newTestStore(t)
	ctx := t.Context()
	if err := s.SetRetention(ctx, ScopeWorkspace, 30); err != nil {
		t.Fatal(err)
	}
	if err := s.SetRetention(ctx, "room:r1", 7); err != nil {
		t.Fatal(err)
	}
	if err := s.SetRetention(ctx, "room:r1", 9); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []struct {
		scope string
		days  int
	}{{"room:", 1}, {"everything", 1}, {ScopeWorkspace, -1}, {ScopeWorkspace, MaxRetentionDays + 1}} {
		if err := s.SetRetention(ctx, bad.scope, bad.days); err == nil {
			t.Errorf("SetRetention(%q, %d) accepted", bad.scope, bad.days)
		}
	}
	ps, err := s.RetentionPolicies(ctx)
	if err != nil || len(ps) != 2 || ps[0].Scope != ScopeWorkspace || ps[0].Days != 30 || ps[1].Days != 9 {
		t.Fatalf("policies %+v, %v", ps, err)
	}
	now := time.Now()
	if c, ok, err := s.RetentionCutoff(ctx, "dm:x", now); err != nil || !ok || !c.Equal(now.Add(-30*24*time.Hour)) {
		t.Errorf("cutoff of a DM = %v, %v, %v", c, ok, err)
	}
	if err := s.ClearRetention(ctx, ScopeWorkspace); err != nil {
		t.Fatal(err)
	}
	if _, ok, err := s.RetentionCutoff(ctx, "dm:x", now); err != nil || ok {
		t.Errorf("without policy a DM is kept forever: %v, %v", ok, err)
	}

	if err := s.PlaceHold(ctx, LegalHold{ID: "h1", Scope: "room:r1", Reason: "case 17"}); err != nil {
		t.Fatal(err)
	}
	if err := s.PlaceHold(ctx, LegalHold{ID: "h1", Scope: ScopeWorkspace}); err == nil {
		t.Error("a hold id was reused")
	}
	if err := s.PlaceHold(ctx, LegalHold{ID: "h2", Scope: "nope"}); err == nil {
		t.Error("a hold on no scope was accepted")
	}
	h, err := s.ReleaseHold(ctx, "h1")
	if err != nil || h.ReleasedAt.IsZero() || h.Reason != "case 17" {
		t.Fatalf("release: %+v, %v", h, err)
	}
	if _, err := s.ReleaseHold(ctx, "h1"); !errors.Is(err, ErrNoHold) {
		t.Errorf("second release: %v", err)
	}
	if hs, err := s.LegalHolds(ctx, false); err != nil || len(hs) != 0 {
		t.Errorf("holds in force: %+v, %v", hs, err)
	}
	if hs, err := s.LegalHolds(ctx, true); err != nil || len(hs) != 1 {
		t.Errorf("all holds: %+v, %v", hs, err)
	}
}

// retentionFixture stores messages of known ages in two DMs and a room.
func retentionFixture(t *testing.T, now time.Time) *Store {
	t.Helper()
	s := newTestStore(t)
	ctx := t.Context()
	ago := func(days int) time.Time { return now.Add(-time.Duration(days) * 24 * time.Hour) }
	for i, days := range []int{100, 40, 20, 1} {
		m := Message{ID: fmt.Sprintf("bob%d", days), Conv: "dm:" + bob, Author: bob, Text: fmt.Sprintf("note %d", i), SentAt: ago(days)}
		if _, _, err := s.InsertIncoming(ctx, m); err != nil {
			t.Fatal(err)
		}
		m = Message{ID: fmt.Sprintf("cat%d", days), Conv: "dm:" + cat, Author: cat, Text: fmt.Sprintf("note %d", i), SentAt: ago(days)}
		if _, _, err := s.InsertIncoming(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	// Ours, never delivered: kept while queued.
	if _, err := s.InsertOutgoing(ctx, Message{ID: "queued", Conv: "dm:" + bob, Author: me, Text: "are you there", SentAt: ago(100)}, bob); err != nil {
		t.Fatal(err)
	}
	// Bob's seq 3 arrives before 2: a gap, so 3 is beyond the vector.
	var entries []RoomEntry
	for i, days := range []int{50, 15, 20, 2} {
		seq := uint64(i + 1)
		if seq == 2 {
			continue
		}
		entries = append(entries, RoomEntry{Room: "r1", Author: bob, Seq: seq, HLC: uint64(100 + i), Raw: []byte("env"),
			Message: Message{ID: fmt.Sprintf("room%d", days), Text: fmt.Sprintf("room note %d", i), SentAt: ago(days)}})
	}
	if _, err := s.InsertRoomEntries(ctx, entries); err != nil {
		t.Fatal(err)
	}
	for _, tr := range []Transfer{
		{ID: "t-old-done", Direction: TransferIn, Peer: bob, Conv: "dm:" + bob, Name: "a", Size: 1, ManifestHash: "h",
			State: TransferFailed, PartialPath: "/dl/.a.partial", CreatedAt: ago(60)},
		{ID: "t-old-paused", Direction: TransferIn, Peer: bob, Conv: "dm:" + bob, Name: "b", Size: 1, ManifestHash: "h",
			State: TransferPaused, CreatedAt: ago(60)},
		{ID: "t-new", Direction: TransferIn, Peer: bob, Conv: "dm:" + bob, Name: "c", Size: 1, ManifestHash: "h",
			State: TransferDone, CreatedAt: ago(1)},
	} {
		if _, err := s.InsertTransfer(ctx, tr); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

func messageIDs(t *testing.T, s *Store, conv string) []string {
	t.Helper()
	rows, err := s.reader.QueryContext(t.Context(), `SELECT id FROM messages WHERE conv = ? ORDER BY id`, conv)
	if err != nil {
		t.Fatal(err)
	}
	ids, err := scanAll(rows, "ids", scanString)
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

func TestApplyRetentionDeletesExactlyWhatIsDue(t *testing.T) {
	now := time.Now()
	s := retentionFixture(t, now)
	ctx := t.Context()
	// Nothing set: everything stays.
	if res, err := s.ApplyRetention(ctx, now); err != nil || res.Messages != 0 || res.Transfers != 0 {
		t.Fatalf("without policies: %+v, %v", res, err)
	}
	must(t, s.SetRetention(ctx, ScopeWorkspace, 30))
	must(t, s.SetRetention(ctx, "room:r1", 12))
	must(t, s.SetRetention(ctx, "dm:"+cat, 0)) // Cat's conversation is kept forever

	res, err := s.ApplyRetention(ctx, now)
	if err != nil {
		t.Fatal(err)
	}
	if res.Messages != 2+2 || res.Transfers != 1 || !slices.Equal(res.Partials, []string{"/dl/.a.partial"}) {
		t.Errorf("result %+v", res)
	}
	for conv, want := range map[string][]string{
		"dm:" + bob:    {"bob1", "bob20", "queued"},
		"dm:" + cat:    {"cat1", "cat100", "cat20", "cat40"},
		RoomConv("r1"): {"room2"},
	} {
		if got := messageIDs(t, s, conv); !slices.Equal(got, want) {
			t.Errorf("%s keeps %v, want %v", conv, got, want)
		}
	}
	trs, err := s.Transfers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var left []string
	for _, tr := range trs {
		left = append(left, tr.ID)
	}
	slices.Sort(left)
	if !slices.Equal(left, []string{"t-new", "t-old-paused"}) {
		t.Errorf("transfers left %v", left)
	}
	// Seq 1 was covered by the vector and is gone; seq 3 (beyond the gap)
	// is emptied, still counted as held, and served to nobody.
	var n int
	must(t, s.reader.QueryRowContext(ctx, `SELECT count(*) FROM room_envelopes WHERE room = 'r1' AND seq = 1`).Scan(&n))
	if n != 0 {
		t.Error("envelope 1 of an expired message kept")
	}
	var raw []byte
	must(t, s.reader.QueryRowContext(ctx, `SELECT raw FROM room_envelopes WHERE room = 'r1' AND seq = 3`).Scan(&raw))
	if string(raw) != expiredEnvelope {
		t.Errorf("envelope 3 of an expired message still holds %q", raw)
	}
	envs, err := s.RoomEnvelopesAfter(ctx, "r1", nil, 0)
	if err != nil || len(envs) != 1 {
		t.Errorf("served envelopes %q, %v; want only seq 4's", envs, err)
	}
	// A peer sending the expired envelope again does not bring it back.
	added, err := s.InsertRoomEntries(ctx, []RoomEntry{{Room: "r1", Author: bob, Seq: 3, HLC: 102, Raw: []byte("env"),
		Message: Message{ID: "room20", Text: "room note 2"}}})
	if err != nil || len(added) != 0 {
		t.Errorf("re-sent expired envelope: added %v, %v", added, err)
	}
	if hits := searchIDs(t, s, SearchQuery{Terms: []string{"note"}}); len(hits) != 7 {
		t.Errorf("search finds %v after retention", hits)
	}
	must(t, s.CheckSearchIndex(ctx))
	must(t, s.IntegrityCheck(ctx))

	// Once delivered, the old queued message goes too.
	if _, _, err := s.MarkDelivered(ctx, me, "queued"); err != nil {
		t.Fatal(err)
	}
	if res, err := s.ApplyRetention(ctx, now); err != nil || res.Messages != 1 {
		t.Errorf("after delivery: %+v, %v", res, err)
	}
}

func TestLegalHoldSuspendsDeletion(t *testing.T) {
	now := time.Now()
	s := retentionFixture(t, now)
	ctx := t.Context()
	must(t, s.SetRetention(ctx, ScopeWorkspace, 5))
	must(t, s.PlaceHold(ctx, LegalHold{ID: "all", Scope: ScopeWorkspace, Reason: "audit"}))
	res, err := s.ApplyRetention(ctx, now)
	if err != nil || res.Messages != 0 || res.Transfers != 0 {
		t.Fatalf("under a workspace hold: %+v, %v", res, err)
	}
	if want := []string{RoomConv("r1"), "dm:" + bob, "dm:" + cat}; !sameSet(res.Held, want) {
		t.Errorf("held %v, want %v", res.Held, want)
	}
	if _, err := s.ReleaseHold(ctx, "all"); err != nil {
		t.Fatal(err)
	}
	must(t, s.PlaceHold(ctx, LegalHold{ID: "bob", Scope: "dm:" + bob}))
	res, err = s.ApplyRetention(ctx, now)
	if err != nil {
		t.Fatal(err)
	}
	if got := messageIDs(t, s, "dm:"+bob); len(got) != 5 {
		t.Errorf("Bob's conversation under hold keeps %v", got)
	}
	if got := messageIDs(t, s, "dm:"+cat); !slices.Equal(got, []string{"cat1"}) {
		t.Errorf("Cat's conversation keeps %v", got)
	}
	if !slices.Equal(res.Held, []string{"dm:" + bob}) {
		t.Errorf("held %v", res.Held)
	}
}

// A sender's clock set in the future does not keep a message.
func TestRetentionCountsFromArrivalToo(t *testing.T) {
	s := newTestStore(t)
	ctx := t.Context()
	if _, _, err := s.InsertIncoming(ctx, Message{ID: "future", Conv: "dm:" + bob, Author: bob, Text: "x",
		SentAt: time.Now().Add(1000 * 24 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
	must(t, s.SetRetention(ctx, ScopeWorkspace, 1))
	if res, err := s.ApplyRetention(ctx, time.Now().Add(2*24*time.Hour)); err != nil || res.Messages != 1 {
		t.Errorf("%+v, %v", res, err)
	}
}

// Retention reaches due messages through the expiry index, not by reading
// the whole conversation.
func TestRetentionUsesItsIndex(t *testing.T) {
	s := newTestStore(t)
	rows, err := s.reader.QueryContext(t.Context(), `EXPLAIN QUERY PLAN
		SELECT seq FROM messages WHERE conv = ? AND min(sent_at, received_at) < ?`, "dm:x", 5)
	if err != nil {
		t.Fatal(err)
	}
	plan, err := scanAll(rows, "plan", func(sc scanner) (string, error) {
		var id, parent, unused int
		var detail string
		err := sc.Scan(&id, &parent, &unused, &detail)
		return detail, err
	})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(strings.Join(plan, ";"), "messages_expiry") {
		t.Errorf("plan %q does not use messages_expiry", plan)
	}
}

func TestRetentionInBatches(t *testing.T) {
	s := newTestStore(t)
	ctx := t.Context()
	old := time.Now().Add(-48 * time.Hour)
	var entries []RoomEntry
	for i := range ExpiryBatch*2 + 7 {
		entries = append(entries, RoomEntry{Room: "big", Author: bob, Seq: uint64(i + 1), HLC: uint64(i + 1), Raw: []byte("e"),
			Message: Message{ID: fmt.Sprint(i), Text: "old news", SentAt: old}})
	}
	if _, err := s.InsertRoomEntries(ctx, entries); err != nil {
		t.Fatal(err)
	}
	must(t, s.SetRetention(ctx, ScopeWorkspace, 1))
	res, err := s.ApplyRetention(ctx, time.Now())
	if err != nil || res.Messages != len(entries) {
		t.Fatalf("%+v, %v", res, err)
	}
	if n, err := s.CountRoomEnvelopes(ctx, "big"); err != nil || n != 0 {
		t.Errorf("%d envelopes left, %v", n, err)
	}
	if heads, err := s.RoomHeads(ctx, "big"); err != nil || heads[bob] != uint64(len(entries)) {
		t.Errorf("the version vector must still count the expired envelopes: %v, %v", heads, err)
	}
	must(t, s.CheckSearchIndex(ctx))
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

// A room's membership and administration records are its audit trail:
// retention deletes the room's text around them, never them.
func TestRetentionKeepsARoomsMembershipRecords(t *testing.T) {
	now := time.Now()
	s := newTestStore(t)
	ctx := t.Context()
	old := now.Add(-90 * 24 * time.Hour)
	var entries []RoomEntry
	for i, kind := range []string{"create", "text", "policy", "file", "role", "ack"} {
		seq := uint64(i + 1)
		entries = append(entries, RoomEntry{Room: "ws", Author: bob, Seq: seq, HLC: 100 + seq, Raw: []byte("env"),
			Message: Message{ID: "m-" + kind, Kind: kind, Text: kind + " record", SentAt: old}})
	}
	entries = append(entries, RoomEntry{Room: "ws", Author: cat, Seq: 1, HLC: 200, Raw: []byte("env"),
		Message: Message{ID: "m-join", Kind: "join", Text: "joined", SentAt: old}})
	if _, err := s.InsertRoomEntries(ctx, entries); err != nil {
		t.Fatal(err)
	}
	must(t, s.SetRetention(ctx, ScopeWorkspace, 1))
	res, err := s.ApplyRetention(ctx, now)
	if err != nil || res.Messages != 2 {
		t.Fatalf("retention deleted %+v, %v; want the text and the file", res, err)
	}
	want := []string{"m-ack", "m-create", "m-join", "m-policy", "m-role"}
	if got := messageIDs(t, s, RoomConv("ws")); !slices.Equal(got, want) {
		t.Fatalf("the room keeps %v, want %v", got, want)
	}
	var envs int
	must(t, s.reader.QueryRowContext(ctx, `SELECT count(*) FROM room_envelopes WHERE room = 'ws' AND raw <> x'00'`).Scan(&envs))
	if envs != len(want) {
		t.Errorf("%d signed envelopes kept, want %d: one per record", envs, len(want))
	}
	// Nothing is left due: the next sweep finds nothing to do.
	if due, err := s.anythingDue(ctx, RoomConv("ws"), now); err != nil || due {
		t.Errorf("still due after the sweep: %v, %v", due, err)
	}
}
