package core

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"hallway/archive"
	"hallway/chat"
	"hallway/core/dm"
	"hallway/p2p"
	"hallway/storage"
)

// office starts Ann and Bob, connected, with DMs both ways, an invitation
// into #project, room messages from both and a file offered in the room.
func office(t *testing.T) (ann, bob *node, room string) {
	t.Helper()
	ctx := context.Background()
	ann = startNode(t, "", "Ann")
	bob = startNode(t, "", "Bob", ann.addr())
	ann.waitOnline(bob, "Bob")
	bob.waitOnline(ann, "Ann")
	for _, m := range []struct {
		from *node
		to   string
		text string
	}{
		{ann, "Bob", "Lunch at the café at noon?"},
		{bob, "Ann", "Sure. Ticket HW-4711 is fixed, by the way"},
		{bob, "Ann", "会議室を予約しました"},
		{ann, "Bob", "ok"},
	} {
		if _, err := m.from.Send(ctx, m.to, m.text); err != nil {
			t.Fatal(err)
		}
	}
	r, err := ann.CreateRoom(ctx, "project")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ann.InviteToRoom(ctx, "#project", "Bob"); err != nil {
		t.Fatal(err)
	}
	bob.accept(r.ID)
	if _, err := ann.SendRoom(ctx, "#project", "Budget review on Friday"); err != nil {
		t.Fatal(err)
	}
	if _, err := bob.SendRoom(ctx, "#project", "I will bring the quarterly numbers"); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "floorplan-v2.pdf")
	os.WriteFile(file, []byte("%PDF pretend"), 0o600)
	if _, err := bob.SendFile(ctx, "#project", file, 0); err != nil {
		t.Fatal(err)
	}
	ann.waitFor("everything at Ann", func() bool {
		return len(ann.history("Bob")) == 5 && len(ann.roomIDs(r.ID)) == 2 && len(ann.search(chat.SearchQuery{Text: "floorplan"})) == 1
	})
	bob.waitFor("everything at Bob", func() bool { return len(bob.history("Ann")) == 5 && len(bob.roomIDs(r.ID)) == 2 })
	return ann, bob, r.ID
}

func (n *node) search(q chat.SearchQuery) []chat.SearchHit {
	n.t.Helper()
	hits, err := n.Search(context.Background(), q)
	if err != nil {
		n.t.Fatalf("Search(%+v): %v", q, err)
	}
	return hits
}

func hitTexts(hits []chat.SearchHit) []string {
	var out []string
	for _, h := range hits {
		out = append(out, h.Text)
	}
	slices.Sort(out)
	return out
}

func TestSearchAcrossConversations(t *testing.T) {
	ann, bob, room := office(t)
	annID, bobID := ann.ID().String(), bob.ID().String()
	for _, tc := range []struct {
		name string
		q    chat.SearchQuery
		want []string
	}{
		{"a word in a DM", chat.SearchQuery{Text: "lunch"}, []string{"Lunch at the café at noon?"}},
		{"part of a code", chat.SearchQuery{Text: "4711"}, []string{"Sure. Ticket HW-4711 is fixed, by the way"}},
		{"Japanese", chat.SearchQuery{Text: "予約"}, []string{"会議室を予約しました"}},
		{"a room message", chat.SearchQuery{Text: "quarterly"}, []string{"I will bring the quarterly numbers"}},
		{"a file by name", chat.SearchQuery{Text: "floorplan"}, []string{"floorplan-v2.pdf"}},
		{"from a colleague", chat.SearchQuery{Text: "the", From: "Bob"}, []string{"I will bring the quarterly numbers", "Sure. Ticket HW-4711 is fixed, by the way"}},
		{"from me", chat.SearchQuery{Text: "the", From: "me"}, []string{"Lunch at the café at noon?"}},
		{"in a room", chat.SearchQuery{Text: "the", In: "#project"}, []string{"I will bring the quarterly numbers"}},
		{"in a room by id", chat.SearchQuery{Text: "budget", In: room}, []string{"Budget review on Friday"}},
		{"in a DM", chat.SearchQuery{Text: "the", In: "Bob"}, []string{"Lunch at the café at noon?", "Sure. Ticket HW-4711 is fixed, by the way"}},
		{"with a file", chat.SearchQuery{Text: "pdf", HasFile: true}, []string{"floorplan-v2.pdf"}},
		{"since tomorrow", chat.SearchQuery{Text: "the", Since: time.Now().Add(24 * time.Hour)}, nil},
		{"until yesterday", chat.SearchQuery{Text: "the", Until: time.Now().Add(-24 * time.Hour)}, nil},
		{"a short word", chat.SearchQuery{Text: "ok"}, []string{"ok"}},
		{"syntax is text", chat.SearchQuery{Text: `"NEAR(" OR *`}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := hitTexts(ann.search(tc.q)); !slices.Equal(got, tc.want) {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
	hits := ann.search(chat.SearchQuery{Text: "quarterly"})
	h := hits[0]
	if h.Conversation != "#project" || h.ConversationID != room || h.ConversationName != "project" || !h.Room ||
		h.From != bobID || h.FromName != "Bob" || h.Time.IsZero() || h.Snippet != "I will bring the «quarterly» numbers" {
		t.Errorf("room hit %+v", h)
	}
	h = ann.search(chat.SearchQuery{Text: "cafe"})[0]
	if h.Conversation != bobID || h.ConversationID != bobID || h.ConversationName != "Bob" || h.Room ||
		h.From != annID || h.FromName != "Ann" || h.Snippet != "Lunch at the «café» at noon?" {
		t.Errorf("DM hit %+v", h)
	}
	for _, q := range []chat.SearchQuery{{Text: "   "}, {Text: "x", From: "Nobody"}, {Text: "x", In: "#nowhere"},
		{Text: "x", Since: time.Now(), Until: time.Now().Add(-time.Hour)}} {
		_, err := ann.Search(context.Background(), q)
		var ue *chat.UserError
		if !errors.As(err, &ue) {
			t.Errorf("Search(%+v) = %v; want a user error", q, err)
		}
	}
	if hits := ann.search(chat.SearchQuery{Text: "the", Limit: 1}); len(hits) != 1 {
		t.Errorf("limit 1 gave %d hits", len(hits))
	}
}

func exportOf(t *testing.T, n *node, opt ExportOptions) ([]byte, ExportSummary) {
	t.Helper()
	var buf bytes.Buffer
	sum, err := n.Export(context.Background(), opt, &buf)
	if err != nil {
		t.Fatalf("Export(%+v): %v", opt, err)
	}
	return buf.Bytes(), sum
}

func TestExportProvesEveryMessage(t *testing.T) {
	ann, bob, room := office(t)
	for _, n := range []*node{ann, bob} {
		data, sum := exportOf(t, n, ExportOptions{})
		r := archive.Verify(data)
		if !r.OK() {
			t.Fatalf("%s's export does not verify: %+v", n.currentProfile().Name, r)
		}
		// 5 DMs (4 texts and the invitation), the node's own join of the
		// open workspace's #general (live only: the other's came before
		// they met), and in #project its creation, Ann's invitation of Bob
		// (an add), Bob's join, 2 texts and the file offer.
		if r.Verified != 12 || r.Unsigned != 0 || sum.Messages != 12 || sum.Signed != 12 {
			t.Errorf("%s: report %+v, summary %+v", n.currentProfile().Name, r, sum)
		}
		page, _ := exportOf(t, n, ExportOptions{Format: "html"})
		if r := archive.Verify(page); !r.OK() || r.Verified != 12 {
			t.Errorf("%s's page does not verify: %+v", n.currentProfile().Name, r)
		}
	}
	// One conversation, one period.
	data, sum := exportOf(t, ann, ExportOptions{In: "#project"})
	if r := archive.Verify(data); !r.OK() || sum.Messages != 6 {
		t.Errorf("room export: %+v, %+v", r, sum)
	}
	data, sum = exportOf(t, ann, ExportOptions{In: "Bob", Since: time.Now().Add(-time.Hour)})
	if r := archive.Verify(data); !r.OK() || sum.Messages != 5 || !bytes.Contains(data, []byte(`"conversation_id":"`+bob.ID().String())) {
		t.Errorf("DM export: %+v, %+v", r, sum)
	}
	if _, sum = exportOf(t, ann, ExportOptions{Until: time.Now().Add(-time.Hour)}); sum.Messages != 0 {
		t.Errorf("nothing is older than an hour: %+v", sum)
	}
	// One character changed in a room message and in a DM.
	data, _ = exportOf(t, ann, ExportOptions{})
	for _, change := range [][2]string{{"quarterly numbers", "quarterly Numbers"}, {"HW-4711", "HW-4712"}} {
		bad := bytes.Replace(data, []byte(change[0]), []byte(change[1]), 1)
		r := archive.Verify(bad)
		if r.OK() || len(r.TamperedIDs()) != 1 {
			t.Errorf("changing %q: %+v", change[0], r)
		}
	}
	var ue *chat.UserError
	if _, err := ann.Export(context.Background(), ExportOptions{Format: "pdf"}, &bytes.Buffer{}); !errors.As(err, &ue) {
		t.Errorf("a pdf export: %v", err)
	}
	_ = room
}

// Messages stored before signatures existed are exported as unsigned,
// which verification reports but does not count as tampering.
func TestExportOfUnsignedHistory(t *testing.T) {
	ann := startNode(t, "", "Ann")
	bob := startNode(t, "", "Bob")
	ctx := context.Background()
	old := storage.Message{ID: "legacy1", Conv: dmConv(bob.ID()), Author: bob.ID().String(), Text: "from an older Hallway",
		SentAt: time.Now().Add(-time.Hour)}
	if _, _, err := ann.Store().InsertIncoming(ctx, old); err != nil {
		t.Fatal(err)
	}
	data, sum := exportOf(t, ann, ExportOptions{})
	r := archive.Verify(data)
	if !r.OK() || r.Unsigned != 1 || sum.Unsigned != 1 {
		t.Fatalf("%+v %+v", r, sum)
	}
	bad := bytes.Replace(data, []byte("an older"), []byte("a newer"), 1)
	if r := archive.Verify(bad); r.OK() || !slices.Equal(r.TamperedIDs(), []string{"legacy1"}) {
		t.Errorf("a changed unsigned message: %+v", r)
	}
}

// A DM whose signature does not hold is kept, as the connection proved
// its sender, but without the signature, so that no export claims a proof
// it lacks.
func TestBadDMSignatureIsNotKept(t *testing.T) {
	ann := startNode(t, "", "Ann")
	bob := startNode(t, "", "Bob")
	cat := startNode(t, "", "Cat")
	ctx := context.Background()
	good := p2p.DM{ID: "m1", Text: "pay the invoice", SentAt: time.Now().UnixMilli()}
	row := storage.Message{ID: good.ID, Text: good.Text, SentAt: time.UnixMilli(good.SentAt), Kind: storage.KindText}
	sig, err := dm.Sign(bob.key, row, ann.ID())
	if err != nil {
		t.Fatal(err)
	}
	stored := func(n *node, id string) storage.Message {
		t.Helper()
		m, ok, err := n.Store().MessageByID(ctx, bob.ID().String(), id)
		if err != nil || !ok {
			t.Fatalf("%s not stored: %v", id, err)
		}
		return m
	}
	forged := good
	forged.ID, forged.Sig, forged.Text = "m2", []byte(sig), "pay the invoice twice"
	for _, m := range []p2p.DM{func() p2p.DM { g := good; g.Sig = []byte(sig); return g }(), forged} {
		if err := ann.dm.Receive(ctx, bob.ID(), m); err != nil {
			t.Fatal(err)
		}
	}
	if m := stored(ann, "m1"); m.Sig != sig {
		t.Error("a good signature was not kept")
	}
	if m := stored(ann, "m2"); m.Sig != "" {
		t.Error("a signature over other text was kept")
	}
	// Bob's signature is for Ann: presented to Cat it proves nothing.
	g := good
	g.Sig = []byte(sig)
	if err := cat.dm.Receive(ctx, bob.ID(), g); err != nil {
		t.Fatal(err)
	}
	if m := stored(cat, "m1"); m.Sig != "" {
		t.Error("Cat kept a signature made for Ann")
	}
	data, _ := exportOf(t, ann, ExportOptions{})
	if r := archive.Verify(data); !r.OK() || r.Verified != 2 || r.Unsigned != 1 {
		t.Errorf("export: %+v", r)
	}
}

func TestRetentionInTheService(t *testing.T) {
	ann := startNode(t, "", "Ann")
	bob := startNode(t, "", "Bob")
	ctx := context.Background()
	for i, age := range []time.Duration{40, 20, 1} {
		m := storage.Message{ID: "m" + string(rune('0'+i)), Conv: dmConv(bob.ID()), Author: bob.ID().String(),
			Text: "old note", SentAt: time.Now().Add(-age * 24 * time.Hour)}
		if _, _, err := ann.Store().InsertIncoming(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	count := func() int {
		n, err := ann.Store().CountMessages(ctx, dmConv(bob.ID()))
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	hold, err := ann.PlaceHold(ctx, "", "litigation 2026-17")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ann.SetRetention(ctx, "", 30); err != nil {
		t.Fatal(err)
	}
	res, err := ann.ApplyRetention(ctx)
	if err != nil || res.Messages != 0 || len(res.Held) != 1 || count() != 3 {
		t.Fatalf("under hold: %+v, %v, %d messages", res, err, count())
	}
	if _, err := ann.ReleaseHold(ctx, hold.ID); err != nil {
		t.Fatal(err)
	}
	// Releasing the hold lets the sweeper run by itself.
	ann.waitFor("the 40-day-old message expired", func() bool { return count() == 2 })
	if _, err := ann.SetRetention(ctx, bob.ID().String(), 10); err != nil {
		t.Fatal(err)
	}
	ann.waitFor("the 20-day-old message expired", func() bool { return count() == 1 })
	st, err := ann.Retention(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.WorkspaceDays != 30 || len(st.Policies) != 2 || st.Policies[1].Conversation != bob.ID().String() ||
		st.Policies[1].Days != 10 || len(st.Holds) != 0 || st.LastSweep == nil {
		t.Errorf("status %+v", st)
	}
	if _, err := ann.SetRetention(ctx, bob.ID().String(), RetentionInherit); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []int{-2, storage.MaxRetentionDays + 1} {
		var ue *chat.UserError
		if _, err := ann.SetRetention(ctx, "", bad); !errors.As(err, &ue) {
			t.Errorf("SetRetention(%d): %v", bad, err)
		}
	}
	var ue *chat.UserError
	if _, err := ann.ReleaseHold(ctx, hold.ID); !errors.As(err, &ue) {
		t.Errorf("releasing twice: %v", err)
	}
	if _, err := ann.PlaceHold(ctx, "#nowhere", ""); !errors.As(err, &ue) {
		t.Errorf("a hold on no conversation: %v", err)
	}
}

func TestBackupAndRestore(t *testing.T) {
	ann, bob, room := office(t)
	ctx := context.Background()
	var buf bytes.Buffer
	info, err := ann.Backup(ctx, &buf)
	if err != nil {
		t.Fatal(err)
	}
	if info.PeerID != ann.ID().String() || info.Messages < 10 || len(info.Files) != 2 {
		t.Errorf("backup info %+v", info)
	}
	// Never onto a running node.
	var ue *chat.UserError
	if _, err := Restore(ctx, bytes.NewReader(buf.Bytes()), ann.dir, RestoreOptions{Force: true}); !errors.As(err, &ue) {
		t.Fatalf("restore onto a running node: %v", err)
	}
	dir := t.TempDir()
	res, err := Restore(ctx, bytes.NewReader(buf.Bytes()), dir, RestoreOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Replaced != "" {
		t.Errorf("a fresh folder replaced %q", res.Replaced)
	}
	for _, f := range []string{identityFile, databaseFile} {
		// Windows: no mode bits; the data folder's access list (TestDataDirOwnerOnlyACL).
		if fi, err := os.Stat(filepath.Join(dir, f)); err != nil || runtime.GOOS != "windows" && fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: %v, %v", f, fi.Mode(), err)
		}
	}
	// A second restore would replace a history.
	if _, err := Restore(ctx, bytes.NewReader(buf.Bytes()), dir, RestoreOptions{}); !errors.Is(err, ErrHistoryExists) {
		t.Fatalf("restore over a history: %v", err)
	}
	res, err = Restore(ctx, bytes.NewReader(buf.Bytes()), dir, RestoreOptions{Force: true})
	if err != nil || res.Replaced == "" {
		t.Fatalf("forced restore: %+v, %v", res, err)
	}
	// The restored node is Ann, with Ann's history.
	want := ann.history(bob.ID().String())
	wantRoom := ann.roomIDs(room)
	ann.stop()
	again := startNode(t, dir, "")
	if again.ID() != ann.ID() {
		t.Fatalf("restored as %s, want %s", again.ID(), ann.ID())
	}
	got := again.history(bob.ID().String())
	if len(got) != len(want) {
		t.Fatalf("restored %d messages with Bob, want %d", len(got), len(want))
	}
	for i := range got {
		if got[i].ID != want[i].ID || got[i].Text != want[i].Text {
			t.Errorf("message %d: %+v, want %+v", i, got[i], want[i])
		}
	}
	if ids := again.roomIDs(room); !slices.Equal(ids, wantRoom) {
		t.Errorf("room history %v, want %v", ids, wantRoom)
	}
	if hits := again.search(chat.SearchQuery{Text: "quarterly"}); len(hits) != 1 {
		t.Errorf("search after restore: %+v", hits)
	}
	if err := again.Store().CheckSearchIndex(ctx); err != nil {
		t.Error(err)
	}
	// Damaged backups are refused before anything is touched.
	for name, b := range map[string][]byte{
		"truncated": buf.Bytes()[:buf.Len()/2],
		"junk":      []byte(strings.Repeat("not a backup ", 100)),
	} {
		if _, err := Restore(ctx, bytes.NewReader(b), t.TempDir(), RestoreOptions{}); err == nil {
			t.Errorf("%s backup restored", name)
		}
	}
}
