package core

import (
	"context"
	"testing"
	"time"

	"hallway/chat"
	hcrypto "hallway/crypto"
)

// node is a running Service in a test, on 127.0.0.1 without mDNS.
type node struct {
	*Service
	t      *testing.T
	dir    string
	cancel context.CancelFunc
	done   chan struct{}
}

func startNode(t *testing.T, dir, name string, peers ...string) *node {
	t.Helper()
	return startNodeWith(t, Config{DataDir: dir, Name: name, StaticPeers: peers})
}

// startNodeWith runs a node with cfg, on 127.0.0.1 (a random port unless
// cfg names addresses) without mDNS and in a fresh data folder unless cfg
// names one.
func startNodeWith(t *testing.T, cfg Config) *node {
	t.Helper()
	if cfg.DataDir == "" {
		cfg.DataDir = t.TempDir()
	}
	cfg.NoMDNS = true
	if len(cfg.ListenAddrs) == 0 {
		cfg.ListenAddrs = []string{"/ip4/127.0.0.1/tcp/0"}
	}
	dir, name := cfg.DataDir, cfg.Name
	svc, err := Open(context.Background(), cfg)
	if err != nil {
		t.Fatalf("open %s: %v", name, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	n := &node{Service: svc, t: t, dir: dir, cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(n.done)
		if err := svc.Run(ctx); err != nil {
			t.Errorf("run %s: %v", name, err)
		}
	}()
	t.Cleanup(n.stop)
	return n
}

// privateWorkspace makes n data folders that share one new workspace key.
func privateWorkspace(t *testing.T, n int) []string {
	t.Helper()
	k, err := hcrypto.NewWorkspaceKey()
	if err != nil {
		t.Fatal(err)
	}
	var dirs []string
	for range n {
		dir := t.TempDir()
		if err := WriteWorkspaceKey(dir, k, false); err != nil {
			t.Fatal(err)
		}
		dirs = append(dirs, dir)
	}
	return dirs
}

// stop shuts the node down cleanly and waits until it has.
func (n *node) stop() {
	n.cancel()
	<-n.done
}

// addr is an address colleagues can use to reach n.
func (n *node) addr() string {
	me, err := n.Self(context.Background())
	if err != nil || len(me.Addrs) == 0 {
		n.t.Fatalf("no address: %v", err)
	}
	return me.Addrs[0]
}

// waitFor re-checks cond after every event of n until it holds or the
// deadline passes. The subscription starts before the first check, so no
// change can slip between check and wait.
func (n *node) waitFor(what string, cond func() bool) {
	n.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	events := n.Subscribe(ctx)
	for !cond() {
		select {
		case _, ok := <-events:
			if !ok {
				n.t.Fatalf("node closed while waiting for %s", what)
			}
		case <-ctx.Done():
			n.t.Fatalf("timed out waiting for %s", what)
		}
	}
}

func (n *node) colleague(id string) (chat.Colleague, bool) {
	peers, err := n.Peers(context.Background())
	if err != nil {
		n.t.Fatal(err)
	}
	for _, c := range peers {
		if c.PeerID == id {
			return c, true
		}
	}
	return chat.Colleague{}, false
}

// waitOnline waits until n lists other as online under its name.
func (n *node) waitOnline(other *node, name string) {
	n.t.Helper()
	id := other.ID().String()
	n.waitFor(name+" online", func() bool {
		c, ok := n.colleague(id)
		return ok && c.Online && c.Name == name
	})
}

func (n *node) history(ref string) []chat.Message {
	n.t.Helper()
	msgs, err := n.History(context.Background(), ref, 0, 1000)
	if err != nil {
		n.t.Fatal(err)
	}
	return msgs
}
