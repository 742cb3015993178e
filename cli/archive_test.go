package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"hallway/chat"
	"hallway/core"
)

func TestParseDate(t *testing.T) {
	now := time.Date(2026, 3, 10, 15, 0, 0, 0, time.Local)
	day := func(d int) time.Time { return time.Date(2026, 3, d, 0, 0, 0, 0, time.Local) }
	for _, tc := range []struct {
		in   string
		end  bool
		want time.Time
	}{
		{"2026-03-01", false, day(1)},
		{"2026-03-01", true, day(2)},
		{"2026-03-01T14:30", false, day(1).Add(14*time.Hour + 30*time.Minute)},
		{"2026-03-01 14:30", true, day(1).Add(14*time.Hour + 30*time.Minute)},
		{"2026-03-01T14:30:00Z", false, time.Date(2026, 3, 1, 14, 30, 0, 0, time.UTC)},
		{"7d", false, now.Add(-7 * 24 * time.Hour)},
		{"12h", false, now.Add(-12 * time.Hour)},
		{"30m", false, now.Add(-30 * time.Minute)},
	} {
		got, err := parseDate(tc.in, tc.end, now)
		if err != nil || !got.Equal(tc.want) {
			t.Errorf("parseDate(%q, %v) = %v, %v; want %v", tc.in, tc.end, got, err, tc.want)
		}
	}
	for _, bad := range []string{"", "yesterday", "2026-13-01", "-3d", "d", "3w"} {
		if _, err := parseDate(bad, false, now); err == nil {
			t.Errorf("parseDate(%q) accepted", bad)
		}
	}
}

func TestVerifyExportNeedsNoNode(t *testing.T) {
	path := filepath.Join(t.TempDir(), "junk.json")
	os.WriteFile(path, []byte(`{"format":"something else"}`), 0o600)
	_, stderr, code := runCLI("verify-export", path, "--data", t.TempDir())
	if code == 0 || strings.Contains(stderr, "not running") || strings.Count(strings.TrimSpace(stderr), "\n") != 0 {
		t.Errorf("junk: code %d, stderr %q", code, stderr)
	}
	if _, stderr, code := runCLI("verify-export", filepath.Join(t.TempDir(), "missing")); code == 0 || !strings.Contains(stderr, "cannot read") {
		t.Errorf("missing file: %d %q", code, stderr)
	}
	if out, _, code := runCLI("retention", "--help"); code != 0 || !strings.Contains(out, "release HOLD-ID") {
		t.Errorf("retention --help: %q", out)
	}
}

// TestArchiveVerbs drives search, export, verification, retention,
// backup and restore through the command line against a daemon.
func TestArchiveVerbs(t *testing.T) {
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	started := make(chan *core.Service, 1)
	done := make(chan error, 1)
	go func() {
		done <- runNode(ctx, core.Config{DataDir: dir, Name: "Ann", NoMDNS: true, ListenAddrs: []string{"/ip4/127.0.0.1/tcp/0"}},
			func(s *core.Service) { started <- s })
	}()
	select {
	case <-started:
	case err := <-done:
		t.Fatal(err)
	case <-time.After(20 * time.Second):
		t.Fatal("daemon did not start")
	}
	stopped := false
	stop := func() {
		if !stopped {
			stopped = true
			cancel()
			if err := <-done; err != nil {
				t.Errorf("daemon: %v", err)
			}
		}
	}
	defer stop()
	cli := func(args ...string) string {
		t.Helper()
		out, stderr, code := runCLI(append(args, "--data", dir)...)
		if code != 0 {
			t.Fatalf("hallway %v: %d %s", args, code, stderr)
		}
		return out
	}
	cli("send", "#general", "Quarterly budget review at 10")
	cli("send", "#general", "会議室を予約しました")

	var hits []chat.SearchHit
	json.Unmarshal([]byte(cli("search", "budget", "--in", "#general", "--since", "1d", "--json")), &hits)
	if len(hits) != 1 || hits[0].Snippet != "Quarterly «budget» review at 10" || hits[0].Conversation != "#general" {
		t.Fatalf("search: %+v", hits)
	}
	if out := cli("search", "予約"); !strings.Contains(out, "«予約»") {
		t.Errorf("search output %q", out)
	}
	if out := cli("search", "nothing-like-this"); !strings.Contains(out, "No messages found") {
		t.Errorf("search output %q", out)
	}
	if out := cli("search", "budget", "--until", "2000-01-01", "--json"); strings.TrimSpace(out) != "[]" {
		t.Errorf("an empty search must print []: %q", out)
	}

	work := t.TempDir()
	jsonPath, htmlPath := filepath.Join(work, "records.json"), filepath.Join(work, "records.html")
	cli("export", "--out", jsonPath)
	if out := cli("export", "--out", htmlPath, "--in", "#general"); !strings.Contains(out, "3 messages") {
		t.Errorf("export output %q", out)
	}
	for _, p := range []string{jsonPath, htmlPath} {
		// Windows keeps no mode bits: there the data folder's access list
		// and the user's profile keep files private.
		if fi, err := os.Stat(p); err != nil || runtime.GOOS != "windows" && fi.Mode().Perm() != 0o600 {
			t.Fatalf("%s: %v %v", p, fi, err)
		}
		if out := cli("verify-export", p); !strings.Contains(out, "OK") || !strings.Contains(out, "3 verified") {
			t.Errorf("verify %s: %q", p, out)
		}
	}
	data, _ := os.ReadFile(jsonPath)
	tampered := filepath.Join(work, "tampered.json")
	os.WriteFile(tampered, bytes.Replace(data, []byte("review at 10"), []byte("review at 11"), 1), 0o600)
	var ex struct {
		Body struct {
			Messages []struct {
				ID   string `json:"id"`
				Text string `json:"text"`
			} `json:"messages"`
		} `json:"body"`
	}
	json.Unmarshal(data, &ex)
	var budgetID string
	for _, m := range ex.Body.Messages {
		if strings.Contains(m.Text, "budget") {
			budgetID = m.ID
		}
	}
	out, stderr, code := runCLI("verify-export", tampered)
	if code == 0 || budgetID == "" || !strings.Contains(stderr, budgetID) || !strings.Contains(out, "TAMPERED "+budgetID) {
		t.Errorf("tampered export: code %d, stdout %q, stderr %q (message %s)", code, out, stderr, budgetID)
	}
	out, _, code = runCLI("verify-export", tampered, "--json")
	if code == 0 || !strings.Contains(out, `"ok": false`) {
		t.Errorf("tampered export, json: %d %q", code, out)
	}

	cli("retention", "set", "30")
	cli("retention", "set", "#general", "forever")
	var hold core.LegalHold
	json.Unmarshal([]byte(cli("retention", "hold", "#general", "--reason", "audit 7", "--json")), &hold)
	var st core.RetentionStatus
	json.Unmarshal([]byte(cli("retention", "--json")), &st)
	if st.WorkspaceDays != 30 || len(st.Holds) != 1 || st.Holds[0].Reason != "audit 7" || len(st.Policies) != 2 {
		t.Errorf("retention status %+v", st)
	}
	if out := cli("retention"); !strings.Contains(out, "30 days") || !strings.Contains(out, "#general: forever") || !strings.Contains(out, hold.ID) {
		t.Errorf("retention show: %q", out)
	}
	cli("retention", "release", hold.ID)
	cli("retention", "set", "#general", "default")
	cli("retention", "apply")
	if _, stderr, code := runCLI("retention", "set", "#general", "soon", "--data", dir); code == 0 || !strings.Contains(stderr, "DAYS") {
		t.Errorf("bad days: %q", stderr)
	}

	backup := filepath.Join(work, "ann.hwbackup")
	cli("backup", backup)
	if fi, err := os.Stat(backup); err != nil || runtime.GOOS != "windows" && fi.Mode().Perm() != 0o600 {
		t.Fatalf("backup file: %v %v", fi, err)
	}
	if _, stderr, code := runCLI("backup", backup, "--data", dir); code == 0 || !strings.Contains(stderr, "--force") {
		t.Errorf("backup over a file: %q", stderr)
	}
	if _, stderr, code := runCLI("restore", backup, "--force", "--data", dir); code == 0 || !strings.Contains(stderr, "running") {
		t.Errorf("restore onto the running node: %d %q", code, stderr)
	}
	fresh := t.TempDir()
	if out, stderr, code := runCLI("restore", backup, "--data", fresh); code != 0 || !strings.Contains(out, "Restored Ann") {
		t.Fatalf("restore: %d %q %q", code, out, stderr)
	}
	if _, stderr, code := runCLI("restore", backup, "--data", fresh); code == 0 || !strings.Contains(stderr, "--force") {
		t.Errorf("restore over a history: %q", stderr)
	}
	stop()
}
