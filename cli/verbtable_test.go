package cli

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"hallway/chat"
	"hallway/control"
	"hallway/core"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/help")

// TestVerbTable checks every verb and sub-command has help and a handler,
// and that help lists every verb.
func TestVerbTable(t *testing.T) {
	out, _, code := runCLI("help")
	if code != 0 {
		t.Fatalf("help: %d", code)
	}
	seen := map[string]bool{}
	for _, v := range verbs {
		if v.name == "" || v.usage == "" || v.run == nil || seen[v.name] {
			t.Errorf("verb %q: usage %q, handler %v, twice %v", v.name, v.usage, v.run != nil, seen[v.name])
		}
		seen[v.name] = true
		if !strings.HasPrefix(v.usage, v.name) || !strings.Contains(out, "  hallway "+v.usage+"\n") {
			t.Errorf("help does not list %q as its own", v.name)
		}
	}
	for name, subs := range map[string]subVerbs{"room": roomVerbs, "file": fileVerbs, "retention": retentionVerbs, "workspace": workspaceVerbs} {
		for _, s := range subs.list {
			if s.name == "" || s.help == "" || s.run == nil {
				t.Errorf("%s %q: help %q, handler %v", name, s.name, s.help, s.run != nil)
			}
		}
	}
	_, stderr, code := runCLI("--data", t.TempDir(), "frobnicate")
	if code != 2 || stderr != "hallway: unknown command \"frobnicate\" (see hallway help)\n" {
		t.Errorf("unknown verb: %d %q", code, stderr)
	}
}

// TestHelpText compares help output with testdata/help: scripts and
// people read it.
func TestHelpText(t *testing.T) {
	for name, args := range map[string][]string{
		"help": {"help"}, "room": {"room", "--help"}, "file": {"file", "--help"},
		"retention": {"retention", "--help"}, "workspace": {"workspace", "--help"}, "send": {"send", "-h"},
	} {
		out, _, code := runCLI(args...)
		if code != 0 {
			t.Errorf("%v: exit %d", args, code)
		}
		path := filepath.Join("testdata", "help", name+".txt")
		if *update {
			os.MkdirAll(filepath.Dir(path), 0o755)
			if err := os.WriteFile(path, []byte(out), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if out != string(want) {
			t.Errorf("%v changed:\n%s\nwant:\n%s", args, out, want)
		}
	}
}

// lagEvents feeds one lag report to the event stream, then ends it.
type lagEvents struct{}

func (lagEvents) Subscribe(context.Context) <-chan chat.Event {
	c := make(chan chat.Event, 1)
	c <- chat.Lagged{Missed: 42}
	close(c)
	return c
}

// TestWatchLagged checks watch tells a lagged stream apart, as one JSON
// line or as a line asking to re-read the state.
func TestWatchLagged(t *testing.T) {
	dir := t.TempDir()
	l, err := control.Listen(core.SocketPath(dir))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { control.Serve(ctx, l, control.Backends{Events: lagEvents{}}, nil); close(done) }()
	defer func() { cancel(); <-done }()

	out, stderr, code := runCLI("watch", "--json", "--data", dir)
	if code != 0 || out != `{"type":"lagged","missed":42}`+"\n" {
		t.Errorf("watch --json: %d %q %q", code, out, stderr)
	}
	out, stderr, code = runCLI("watch", "--data", dir)
	if code != 0 || strings.Count(out, "\n") != 1 || !strings.Contains(out, "42 events were skipped") || !strings.Contains(out, "re-read") {
		t.Errorf("watch: %d %q %q", code, out, stderr)
	}
}
