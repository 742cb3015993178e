package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"hallway/chat"
	"hallway/internal/fleet"
	"hallway/internal/netlab"
	"hallway/storage"
)

// search runs `hallway search --json args...` at d.
func search(d *fleet.Daemon, args ...string) []chat.SearchHit {
	d.T.Helper()
	return fleet.Decode[[]chat.SearchHit](d.T, d.CLI(append([]string{"search", "--json"}, args...)...))
}

func hitIDs(hits []chat.SearchHit) []string {
	var ids []string
	for _, h := range hits {
		ids = append(ids, h.ID)
	}
	slices.Sort(ids)
	return ids
}

// checkStore opens a stopped daemon's history and checks SQLite's
// integrity and that the search index holds exactly the messages.
func checkStore(t *testing.T, d *fleet.Daemon) int {
	t.Helper()
	st, err := storage.Open(context.Background(), d.DBPath())
	if err != nil {
		t.Fatalf("%s: open history: %v", d.Name, err)
	}
	defer st.Close()
	if err := st.IntegrityCheck(context.Background()); err != nil {
		t.Fatalf("%s: %v", d.Name, err)
	}
	if err := st.CheckSearchIndex(context.Background()); err != nil {
		t.Fatalf("%s: %v", d.Name, err)
	}
	convs, err := st.Conversations(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, c := range convs {
		k, err := st.CountMessages(context.Background(), c)
		if err != nil {
			t.Fatal(err)
		}
		n += k
	}
	return n
}

// TestArchiveOffice: two colleagues on two hosts talk in DMs and a room
// and share a file; then search finds it all, an export verifies and a
// changed character is caught and named, and a backup taken while the
// node runs restores to the same history.
func TestArchiveOffice(t *testing.T) {
	lab := netlab.New(t, 2)
	ann := fleet.New(t, lab.Host(1), "Ann")
	bob := fleet.New(t, lab.Host(2), "Bob")
	ann.Start()
	bob.Start()
	annID, bobID := ann.Self().PeerID, bob.Self().PeerID
	ann.WaitFor("Bob online", 15*time.Second, func() bool { return ann.Sees(bobID, bob.Name) })
	bob.WaitFor("Ann online", 15*time.Second, func() bool { return bob.Sees(annID, ann.Name) })

	ann.CLI("send", "Bob", "Can you review invoice INV-2026-00042 before Friday?", "--wait")
	bob.CLI("send", "Ann", "Done. 会議室を予約しました for the kick-off", "--wait")
	ann.CLI("room", "create", "finance")
	ann.CLI("room", "invite", "#finance", "Bob")
	bob.AcceptInvitation("finance", annID, 15*time.Second)
	bob.WaitFor("Bob in #finance", 15*time.Second, func() bool { return bob.Members("#finance") == 2 })
	ann.CLI("send", "#finance", "Quarterly budget draft is ready")
	bob.CLI("send", "#finance", "Thanks Ann, I'll check the budget tonight")
	report := filepath.Join(t.TempDir(), "q3-report.pdf")
	os.WriteFile(report, bytes.Repeat([]byte("%PDF"), 1000), 0o600)
	bob.CLI("file", "send", "#finance", report)
	ann.WaitFor("everything at Ann", 20*time.Second, func() bool {
		return len(ann.History(bobID)) == 3 && len(textIDs(ann.History("#finance"))) == 2 && len(search(ann, "q3-report")) == 1
	})

	t.Run("search", func(t *testing.T) {
		for _, tc := range []struct {
			args []string
			want int
		}{
			{[]string{"invoice"}, 1},
			{[]string{"00042"}, 1},  // part of a code
			{[]string{"予約"}, 1},     // two Japanese characters
			{[]string{"budget"}, 2}, // a room, both authors
			{[]string{"budget", "--from", "Bob"}, 1},
			{[]string{"budget", "--in", "#finance", "--since", "1h"}, 2},
			{[]string{"budget", "--until", "2020-01-01"}, 0},
			{[]string{"report", "--has-file"}, 1},
			{[]string{"the", "--in", "Bob"}, 1},
			{[]string{`"NEAR(budget`, "OR", "*"}, 0}, // FTS syntax is text
		} {
			if got := search(ann, tc.args...); len(got) != tc.want {
				t.Errorf("search %q: %d hits, want %d: %+v", tc.args, len(got), tc.want, got)
			}
		}
		h := search(ann, "quarterly")[0]
		if h.Conversation != "#finance" || h.FromName != "Ann" || h.Snippet != "«Quarterly» budget draft is ready" {
			t.Errorf("hit %+v", h)
		}
		if got, want := hitIDs(search(bob, "budget")), hitIDs(search(ann, "budget")); !slices.Equal(got, want) {
			t.Errorf("Bob finds %v, Ann %v", got, want)
		}
	})

	work := t.TempDir()
	t.Run("export and verify", func(t *testing.T) {
		for _, f := range []string{"all.json", "all.html"} {
			path := filepath.Join(work, f)
			ann.CLI("export", "--out", path)
			out, err := ann.CLIErr("verify-export", path)
			if err != nil || !strings.Contains(out, "OK") || !strings.Contains(out, "0 tampered") {
				t.Fatalf("verify %s: %v\n%s", f, err, out)
			}
		}
		// Offline: verification needs no daemon, and any data folder.
		path := filepath.Join(work, "bob-dms.json")
		bob.CLI("export", "--out", path, "--in", "Ann")
		data, _ := os.ReadFile(path)
		var doc struct {
			Body struct {
				Messages []struct {
					ID   string `json:"id"`
					Text string `json:"text"`
				} `json:"messages"`
			} `json:"body"`
		}
		if err := json.Unmarshal(data, &doc); err != nil || len(doc.Body.Messages) != 3 {
			t.Fatalf("Bob's export of his DMs: %v, %d messages", err, len(doc.Body.Messages))
		}
		var target string
		for _, m := range doc.Body.Messages {
			if strings.Contains(m.Text, "INV-2026-00042") {
				target = m.ID
			}
		}
		for _, change := range [][2]string{{"INV-2026-00042", "INV-2026-00043"}, {"before Friday", "before friday"}} {
			bad := filepath.Join(work, "tampered.json")
			os.WriteFile(bad, bytes.Replace(data, []byte(change[0]), []byte(change[1]), 1), 0o600)
			out, err := bob.CLIErr("verify-export", bad, "--data", t.TempDir())
			if err == nil || !strings.Contains(err.Error(), target) || !strings.Contains(out, "TAMPERED "+target) {
				t.Errorf("changing %q: err %v, out %q; want message %s named", change[0], err, out, target)
			}
		}
	})

	t.Run("backup while running, restore elsewhere", func(t *testing.T) {
		// Messages keep arriving while the backup is taken.
		stop := make(chan struct{})
		var wg sync.WaitGroup
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				if _, err := bob.Client().SendRoom(context.Background(), "#finance", fmt.Sprintf("while backing up %d", i)); err != nil {
					return
				}
			}
		}()
		backup := filepath.Join(work, "ann.backup")
		ann.CLI("backup", backup)
		close(stop)
		wg.Wait()
		if fi, err := os.Stat(backup); err != nil || fi.Mode().Perm() != 0o600 {
			t.Fatalf("backup: %v, %v", fi, err)
		}
		if _, err := ann.CLIErr("restore", backup); err == nil {
			t.Fatal("restore onto the running node was not refused")
		}
		ann.Stop()
		snap, err := ann.Snapshot(context.Background(), bobID)
		if err != nil {
			t.Fatal(err)
		}
		var wantDMs []chat.Message
		for _, r := range snap.DMs[bobID] {
			wantDMs = append(wantDMs, chat.Message{ID: r.ID, Text: r.Text})
		}
		restored := fleet.New(t, lab.Host(1), "Ann")
		restored.CLI("restore", backup)
		if _, err := restored.CLIErr("restore", backup); err == nil {
			t.Fatal("a second restore over the history was not refused")
		}
		n := checkStore(t, restored)
		restored.Start()
		if me := restored.Self(); me.PeerID != annID {
			t.Fatalf("restored as %s, want %s", me.PeerID, annID)
		}
		if got := restored.History(bobID); !slices.EqualFunc(got, wantDMs, func(a, b chat.Message) bool { return a.ID == b.ID && a.Text == b.Text }) {
			t.Errorf("restored DMs %+v, want %+v", got, wantDMs)
		}
		if len(search(restored, "budget")) != 2 {
			t.Errorf("search after restore: %+v", search(restored, "budget"))
		}
		t.Logf("restored %d messages; the room catches up on what came after the backup", n)
	})
}

// TestArchiveSurvivesKill9: kill -9 during heavy inserts (a colleague's
// burst committed in batches, and the node's own posts) leaves a history
// that passes SQLite's integrity check with a search index that holds
// exactly the messages, every time, and search still finds what was
// acknowledged.
func TestArchiveSurvivesKill9(t *testing.T) {
	lab := netlab.New(t, 2)
	ann := fleet.New(t, lab.Host(1), "Ann")
	bob := fleet.New(t, lab.Host(2), "Bob")
	ann.Start()
	bob.Start()
	bobID := bob.Self().PeerID
	ann.WaitFor("Bob online", 15*time.Second, func() bool { return ann.Sees(bobID, bob.Name) })
	for round := range 3 {
		var wg sync.WaitGroup
		acked := make(chan string, 100000)
		busy := make(chan struct{}) // closed at Ann's 300th acknowledged post
		flood := func(d *fleet.Daemon, tag string) {
			defer wg.Done()
			c := d.Client()
			for i := range 2000 {
				m, err := c.SendRoom(context.Background(), "#general", fmt.Sprintf("%s round %d message %d marker%d", tag, round, i, i))
				if err != nil {
					return // the node was killed
				}
				if tag == "ann" {
					acked <- m.ID
					if i == 299 {
						close(busy)
					}
				}
			}
		}
		wg.Add(2)
		go flood(bob, "bob")
		go flood(ann, "ann")
		// Kill Ann once the burst is well under way.
		select {
		case <-busy:
		case <-time.After(30 * time.Second):
			t.Fatalf("round %d: Ann did not acknowledge 300 posts within 30 s", round)
		}
		ann.Kill()
		wg.Wait()
		close(acked)
		stored := checkStore(t, ann)
		ann.Start()
		var lost []string
		got := map[string]bool{}
		for _, m := range ann.History("#general") {
			got[m.ID] = true
		}
		n := 0
		for id := range acked {
			n++
			if !got[id] {
				lost = append(lost, id)
			}
		}
		if len(lost) > 0 {
			t.Fatalf("round %d: %d acknowledged posts lost by kill -9", round, len(lost))
		}
		if hits := search(ann, fmt.Sprintf("ann round %d message", round), "--limit", "500"); len(hits) == 0 {
			t.Fatalf("round %d: search finds nothing after the restart", round)
		}
		t.Logf("round %d: killed after %d acknowledged posts; %d messages stored, index consistent", round, n, stored)
	}
}
