package cli

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"hallway/chat"
	"hallway/core"

	ic "github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"
)

func TestBlockVerbs(t *testing.T) {
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	started := make(chan *core.Service, 1)
	done := make(chan error, 1)
	go func() {
		done <- runNode(ctx, core.Config{DataDir: dir, Name: "Ann", NoMDNS: true, ListenAddrs: []string{"/ip4/127.0.0.1/tcp/0"}},
			func(s *core.Service) { started <- s })
	}()
	var svc *core.Service
	select {
	case svc = <-started:
	case err := <-done:
		t.Fatal(err)
	case <-time.After(20 * time.Second):
		t.Fatal("daemon did not start")
	}
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("daemon: %v", err)
		}
	}()
	_, pub, _ := ic.GenerateEd25519Key(rand.Reader)
	mal, _ := peer.IDFromPublicKey(pub)

	if _, stderr, code := runCLI("block", "--data", dir); code == 0 || !strings.Contains(stderr, "usage: hallway block PEER") {
		t.Fatalf("block without a colleague: %d %q", code, stderr)
	}
	if _, stderr, code := runCLI("block", svc.ID().String(), "--data", dir); code == 0 || !strings.Contains(stderr, "cannot block yourself") {
		t.Fatalf("blocking oneself: %d %q", code, stderr)
	}
	out, stderr, code := runCLI("block", mal.String(), "--reason", "spam\x1b[2J", "--data", dir)
	if code != 0 || !strings.Contains(out, "Blocked "+mal.String()) || !strings.Contains(out, "hallway unblock") {
		t.Fatalf("block: %d %q %q", code, out, stderr)
	}
	out, _, code = runCLI("blocked", "--data", dir)
	if code != 0 || !strings.Contains(out, mal.String()) || strings.Contains(out, "\x1b") {
		t.Fatalf("blocked: %d %q", code, out)
	}
	out, _, _ = runCLI("blocked", "--json", "--data", dir)
	var list []chat.Block
	if err := json.Unmarshal([]byte(out), &list); err != nil || len(list) != 1 || list[0].PeerID != mal.String() || list[0].Reason != "spam\x1b[2J" {
		t.Fatalf("blocked --json: %q %v", out, err)
	}
	if _, stderr, code := runCLI("send", mal.String(), "hi", "--data", dir); code == 0 || !strings.Contains(stderr, "blocked") {
		t.Fatalf("writing to a blocked colleague: %d %q", code, stderr)
	}
	out, _, code = runCLI("unblock", mal.String(), "--json", "--data", dir)
	var b chat.Block
	if code != 0 || json.Unmarshal([]byte(out), &b) != nil || b.PeerID != mal.String() {
		t.Fatalf("unblock: %d %q", code, out)
	}
	if _, stderr, code := runCLI("unblock", mal.String(), "--data", dir); code == 0 || !strings.Contains(stderr, "not blocked") {
		t.Fatalf("unblocking twice: %d %q", code, stderr)
	}
	if out, _, _ := runCLI("blocked", "--json", "--data", dir); strings.TrimSpace(out) != "[]" {
		t.Fatalf("nobody blocked must be an empty JSON array: %q", out)
	}
}
