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

	"hallway/core"
	"hallway/internal/netlab"
	"hallway/storage"
)

func (d *daemon) search(args ...string) []core.SearchHit {
	d.t.Helper()
	return decode[[]core.SearchHit](d.t, d.cli(append([]string{"search", "--json"}, args...)...))
}

func hitIDs(hits []core.SearchHit) []string {
	var ids []string
	for _, h := range hits {
		ids = append(ids, h.ID)
	}
	slices.Sort(ids)
	return ids
}

// checkStore opens a stopped daemon's history and checks SQLite's
// integrity and that the search index holds exactly the messages.
func checkStore(t *testing.T, d *daemon) int {
	t.Helper()
	st, err := storage.Open(context.Background(), filepath.Join(d.dir, "hallway.db"))
	if err != nil {
		t.Fatalf("%s: open history: %v", d.name, err)
	}
	defer st.Close()
	if err := st.IntegrityCheck(context.Background()); err != nil {
		t.Fatalf("%s: %v", d.name, err)
	}
	if err := st.CheckSearchIndex(context.Background()); err != nil {
		t.Fatalf("%s: %v", d.name, err)
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
	ann := newDaemon(t, lab.Host(1), "Ann")
	bob := newDaemon(t, lab.Host(2), "Bob")
	ann.start()
	bob.start()
	annID, bobID := ann.self().PeerID, bob.self().PeerID
	ann.waitFor("Bob online", 15*time.Second, func() bool { return ann.sees(bob, bobID) })
	bob.waitFor("Ann online", 15*time.Second, func() bool { return bob.sees(ann, annID) })

	ann.cli("send", "Bob", "Can you review invoice INV-2026-00042 before Friday?", "--wait")
	bob.cli("send", "Ann", "Done. 会議室を予約しました for the kick-off", "--wait")
	ann.cli("room", "create", "finance")
	ann.cli("room", "invite", "#finance", "Bob")
	bob.waitFor("Bob in #finance", 15*time.Second, func() bool {
		ms, err := bob.client().RoomMembers(context.Background(), "#finance")
		return err == nil && len(ms) == 2
	})
	ann.cli("send", "#finance", "Quarterly budget draft is ready")
	bob.cli("send", "#finance", "Thanks Ann, I'll check the budget tonight")
	report := filepath.Join(t.TempDir(), "q3-report.pdf")
	os.WriteFile(report, bytes.Repeat([]byte("%PDF"), 1000), 0o600)
	bob.cli("file", "send", "#finance", report)
	ann.waitFor("everything at Ann", 20*time.Second, func() bool {
		return len(ann.history(bobID)) == 3 && len(textIDs(ann.roomLog("finance"))) == 2 && len(ann.search("q3-report")) == 1
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
			if got := ann.search(tc.args...); len(got) != tc.want {
				t.Errorf("search %q: %d hits, want %d: %+v", tc.args, len(got), tc.want, got)
			}
		}
		h := ann.search("quarterly")[0]
		if h.Conversation != "#finance" || h.FromName != "Ann" || h.Snippet != "«Quarterly» budget draft is ready" {
			t.Errorf("hit %+v", h)
		}
		if got, want := hitIDs(bob.search("budget")), hitIDs(ann.search("budget")); !slices.Equal(got, want) {
			t.Errorf("Bob finds %v, Ann %v", got, want)
		}
	})

	work := t.TempDir()
	t.Run("export and verify", func(t *testing.T) {
		for _, f := range []string{"all.json", "all.html"} {
			path := filepath.Join(work, f)
			ann.cli("export", "--out", path)
			out, err := ann.cliErr("verify-export", path)
			if err != nil || !strings.Contains(out, "OK") || !strings.Contains(out, "0 tampered") {
				t.Fatalf("verify %s: %v\n%s", f, err, out)
			}
		}
		// Offline: verification needs no daemon, and any data folder.
		path := filepath.Join(work, "bob-dms.json")
		bob.cli("export", "--out", path, "--in", "Ann")
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
			out, err := bob.cliErr("verify-export", bad, "--data", t.TempDir())
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
				if _, err := bob.client().SendRoom(context.Background(), "#finance", fmt.Sprintf("while backing up %d", i)); err != nil {
					return
				}
			}
		}()
		backup := filepath.Join(work, "ann.backup")
		ann.cli("backup", backup)
		close(stop)
		wg.Wait()
		if fi, err := os.Stat(backup); err != nil || fi.Mode().Perm() != 0o600 {
			t.Fatalf("backup: %v, %v", fi, err)
		}
		if _, err := ann.cliErr("restore", backup); err == nil {
			t.Fatal("restore onto the running node was not refused")
		}
		ann.stop()
		wantDMs := ann.historyOffline(t, bobID)
		restored := newDaemon(t, lab.Host(1), "Ann")
		restored.cli("restore", backup)
		if _, err := restored.cliErr("restore", backup); err == nil {
			t.Fatal("a second restore over the history was not refused")
		}
		n := checkStore(t, restored)
		restored.start()
		if me := restored.self(); me.PeerID != annID {
			t.Fatalf("restored as %s, want %s", me.PeerID, annID)
		}
		if got := restored.history(bobID); !slices.EqualFunc(got, wantDMs, func(a, b core.Message) bool { return a.ID == b.ID && a.Text == b.Text }) {
			t.Errorf("restored DMs %+v, want %+v", got, wantDMs)
		}
		if len(restored.search("budget")) != 2 {
			t.Errorf("search after restore: %+v", restored.search("budget"))
		}
		t.Logf("restored %d messages; the room catches up on what came after the backup", n)
	})
}

// historyOffline reads a stopped daemon's DMs with peer from its database.
func (d *daemon) historyOffline(t *testing.T, peer string) []core.Message {
	t.Helper()
	st, err := storage.Open(context.Background(), filepath.Join(d.dir, "hallway.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	rows, err := st.History(context.Background(), "dm:"+peer, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	var out []core.Message
	for _, r := range rows {
		out = append(out, core.Message{ID: r.ID, Text: r.Text})
	}
	return out
}

// TestArchiveSurvivesKill9: kill -9 during heavy inserts (a colleague's
// burst committed in batches, and the node's own posts) leaves a history
// that passes SQLite's integrity check with a search index that holds
// exactly the messages, every time, and search still finds what was
// acknowledged.
func TestArchiveSurvivesKill9(t *testing.T) {
	lab := netlab.New(t, 2)
	ann := newDaemon(t, lab.Host(1), "Ann")
	bob := newDaemon(t, lab.Host(2), "Bob")
	ann.start()
	bob.start()
	bobID := bob.self().PeerID
	ann.waitFor("Bob online", 15*time.Second, func() bool { return ann.sees(bob, bobID) })
	for round := range 3 {
		var wg sync.WaitGroup
		acked := make(chan string, 100000)
		flood := func(d *daemon, tag string) {
			defer wg.Done()
			c := d.client()
			for i := range 2000 {
				m, err := c.SendRoom(context.Background(), "#general", fmt.Sprintf("%s round %d message %d marker%d", tag, round, i, i))
				if err != nil {
					return // the node was killed
				}
				if tag == "ann" {
					acked <- m.ID
				}
			}
		}
		wg.Add(2)
		go flood(bob, "bob")
		go flood(ann, "ann")
		// Kill Ann once the burst is well under way.
		ann.waitQuiet("Ann busy storing", 30*time.Second, func() bool { return len(acked) >= 300 })
		ann.kill()
		wg.Wait()
		close(acked)
		stored := checkStore(t, ann)
		ann.start()
		var lost []string
		got := map[string]bool{}
		for _, m := range ann.roomLog("general") {
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
		if hits := ann.search(fmt.Sprintf("ann round %d message", round), "--limit", "500"); len(hits) == 0 {
			t.Fatalf("round %d: search finds nothing after the restart", round)
		}
		t.Logf("round %d: killed after %d acknowledged posts; %d messages stored, index consistent", round, n, stored)
	}
}
