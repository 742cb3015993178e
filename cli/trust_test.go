package cli

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"hallway/chat"
	"hallway/core"
)

// serveNode runs a node with its control API for the test.
func serveNode(t *testing.T, name string, peers ...string) (string, *core.Service) {
	t.Helper()
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	started := make(chan *core.Service, 1)
	done := make(chan error, 1)
	go func() {
		done <- runNode(ctx, core.Config{DataDir: dir, Name: name, NoMDNS: true, ListenAddrs: []string{"/ip4/127.0.0.1/tcp/0"},
			StaticPeers: peers}, func(s *core.Service) { started <- s })
	}()
	var svc *core.Service
	select {
	case svc = <-started:
	case err := <-done:
		t.Fatal(err)
	case <-time.After(20 * time.Second):
		t.Fatal("node did not start")
	}
	t.Cleanup(func() { cancel(); <-done })
	return dir, svc
}

func TestVerifyAndLabelVerbs(t *testing.T) {
	annDir, ann := serveNode(t, "Ann")
	me, _ := ann.Self(context.Background())
	_, bob := serveNode(t, "Bob", me.Addrs[0])
	bobID := bob.ID().String()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	events := ann.Subscribe(ctx)
	for {
		if ps, _ := ann.Peers(ctx); len(ps) == 1 && ps[0].Name == "Bob" {
			break
		}
		select {
		case <-events:
		case <-ctx.Done():
			t.Fatal("Bob never showed up")
		}
	}

	out, stderr, code := runCLI("verify", "Bob", "--data", annDir)
	if code != 0 || !strings.Contains(out, "Safety number:") || !strings.Contains(out, "hallway verify Bob --yes") {
		t.Fatalf("verify: %d %q %q", code, out, stderr)
	}
	out, _, code = runCLI("verify", "Bob", "--yes", "--json", "--data", annDir)
	var tr chat.Trust
	if code != 0 || json.Unmarshal([]byte(out), &tr) != nil || !tr.Verified || tr.PeerID != bobID || len(strings.Fields(tr.SafetyNumber)) != 12 {
		t.Fatalf("verify --yes: %d %q", code, out)
	}
	if _, stderr, code := runCLI("verify", "Bob", "--yes", "--undo", "--data", annDir); code == 0 || stderr == "" {
		t.Fatal("--yes with --undo accepted")
	}
	out, _, code = runCLI("label", "Bob", "Accounting", "--data", annDir)
	if code != 0 || !strings.Contains(out, "Bob is under Accounting") {
		t.Fatalf("label: %d %q", code, out)
	}
	out, _, _ = runCLI("label", "--data", annDir)
	if !strings.Contains(out, "Accounting: Bob#") {
		t.Fatalf("label list: %q", out)
	}
	if out, _, code = runCLI("label", "Bob", "--clear", "--data", annDir); code != 0 || !strings.Contains(out, "no label") {
		t.Fatalf("label --clear: %d %q", code, out)
	}
}

func TestNoVerbOpensTheWindow(t *testing.T) {
	var got core.Config
	var out, errb strings.Builder
	env := &Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb,
		RunWindow: func(_ context.Context, n *WindowNode, _ *slog.Logger) error {
			if n == nil {
				return errors.New("no node")
			}
			got = n.Config()
			return nil
		}}
	dir := t.TempDir()
	if code := Main([]string{"--data", dir, "--name", "Ann Smith", "--no-mdns"}, env); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	if got.DataDir != dir || got.Name != "Ann Smith" || !got.NoMDNS {
		t.Fatalf("window config %+v", got)
	}
}
