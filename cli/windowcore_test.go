package cli

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"hallway/chat"
	"hallway/core"
	hcrypto "hallway/crypto"
)

// The window's core reaches the real archive: a room message is found by a
// substring, and the hit names the room by its id, which is how the window
// keys the conversation a click opens. Its workspace operations act on the
// window's node: creating a workspace restarts the node in it.
func TestWindowCoreSearchesAndSwitches(t *testing.T) {
	dir, err := os.MkdirTemp("", "hw-win-") // short: a socket path is limited
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	ctx, cancel := context.WithCancel(context.Background())
	w := NewWindowNode(core.Config{DataDir: dir, Name: "Ann", NoMDNS: true, ListenAddrs: []string{"/ip4/127.0.0.1/tcp/0"}})
	started := make(chan *WindowCore, 4)
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx, func(c *WindowCore) { started <- c }) }()
	next := func(what string) *WindowCore {
		t.Helper()
		select {
		case c := <-started:
			return c
		case err := <-done:
			t.Fatalf("%s: the node stopped: %v", what, err)
		case <-time.After(30 * time.Second):
			t.Fatalf("%s: no node came up", what)
		}
		return nil
	}
	c := next("start")
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("node: %v", err)
		}
	}()

	room, err := c.CreateRoom(ctx, "budget")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.SendRoom(ctx, "#budget", "invoice INV-20931 is approved"); err != nil {
		t.Fatal(err)
	}
	hits, err := c.Search(ctx, chat.SearchQuery{Text: "20931", In: room.ID})
	if err != nil || len(hits) != 1 {
		t.Fatalf("hits %+v, %v", hits, err)
	}
	if h := hits[0]; h.ConversationID != room.ID || !h.Room || !strings.Contains(h.Snippet, "«20931»") {
		t.Fatalf("hit %+v", h)
	}

	if _, private, err := c.WorkspaceInvite(); err != nil || private {
		t.Fatalf("a new node is in a private workspace (%v)", err)
	}
	code, err := c.CreateWorkspace()
	if err != nil || !strings.HasPrefix(code, "HW2-") {
		t.Fatalf("create: %q, %v", code, err)
	}
	c.Restart()
	me, err := next("create").Self(ctx)
	if err != nil || me.Workspace != chat.WorkspacePrivate {
		t.Fatalf("after create the node runs in %+v (%v)", me, err)
	}
	// The invite of the running node also says where it listens.
	got, private, err := c.WorkspaceInvite()
	bare, addrs, serr := hcrypto.SplitCodeAddrs(got)
	if err != nil || serr != nil || !private || strings.ReplaceAll(code, "-", "") != bare || len(addrs) == 0 {
		t.Fatalf("invite %q private %v (%v, %v), created %q", got, private, err, serr, code)
	}
}
