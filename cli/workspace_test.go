package cli

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"hallway/core"
	hcrypto "hallway/crypto"
)

// TestWorkspaceSwitchesARunningNode drives create, join (code on stdin)
// and leave against a node that runs for the data folder.
func TestWorkspaceSwitchesARunningNode(t *testing.T) {
	dir, err := os.MkdirTemp("", "hw-cli-") // short: a socket path is limited
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	ctx, cancel := context.WithCancel(context.Background())
	started := make(chan *core.Service, 4)
	done := make(chan error, 1)
	go func() {
		done <- runNode(ctx, core.Config{DataDir: dir, Name: "Ann", NoMDNS: true, ListenAddrs: []string{"/ip4/127.0.0.1/tcp/0"}},
			func(s *core.Service) { started <- s })
	}()
	next := func(what string) *core.Service {
		t.Helper()
		select {
		case s := <-started:
			return s
		case err := <-done:
			t.Fatalf("%s: the node stopped: %v", what, err)
		case <-time.After(30 * time.Second):
			t.Fatalf("%s: no node came up", what)
		}
		return nil
	}
	next("start")
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("node: %v", err)
		}
	}()

	out, stderr, code := runCLI("workspace", "create", "--data", dir)
	if code != 0 || !strings.Contains(out, "Created private workspace") || !strings.Contains(out, "switched") {
		t.Fatalf("create: %d %q %q", code, out, stderr)
	}
	me, _ := next("create").Self(ctx)
	if me.Workspace != core.WorkspacePrivate || !strings.Contains(out, me.WorkspaceTag) {
		t.Fatalf("after create the node runs in %+v; the verb said %q", me, out)
	}
	other := t.TempDir()
	out, _, _ = runCLI("workspace", "create", "--json", "--data", other)
	invite := out[strings.Index(out, "HW2-"):]
	invite = invite[:strings.IndexByte(invite, '"')]

	var sout, serr bytes.Buffer
	code = Main([]string{"workspace", "join", "-", "--force", "--data", dir}, &Env{Stdin: strings.NewReader(invite + "\n"), Stdout: &sout, Stderr: &serr})
	if code != 0 || !strings.Contains(sout.String(), "Joined private workspace") {
		t.Fatalf("join -: %d %q %q", code, sout.String(), serr.String())
	}
	joined, _ := next("join").Self(ctx)
	if joined.WorkspaceTag == me.WorkspaceTag || !strings.Contains(sout.String(), joined.WorkspaceTag) {
		t.Fatalf("join did not switch: %+v, verb said %q", joined, sout.String())
	}

	out, stderr, code = runCLI("workspace", "leave", "--data", dir)
	if code != 0 || !strings.Contains(out, "Open LAN") || !strings.Contains(out, "switched") {
		t.Fatalf("leave: %d %q %q", code, out, stderr)
	}
	if left, _ := next("leave").Self(ctx); left.Workspace != core.WorkspaceOpen {
		t.Fatalf("after leave: %+v", left)
	}
}

// Joining with a pass code while no Hallway runs keeps the workspace key,
// its room and the pass in the data folder, for the next start; joining
// again with a plain invite code drops the pass.
func TestWorkspaceJoinWithAPassCode(t *testing.T) {
	dir := t.TempDir()
	k, err := hcrypto.NewWorkspaceKey()
	if err != nil {
		t.Fatal(err)
	}
	inv := hcrypto.Invite{Key: k, Room: "04ab3xyzkmnpqrstvw01234560"}
	pc, err := hcrypto.NewPass(inv)
	if err != nil {
		t.Fatal(err)
	}
	code, _ := pc.Encode()
	out, stderr, rc := runCLI("workspace", "join", code, "--data", dir)
	if rc != 0 || !strings.Contains(out, "with a pass") {
		t.Fatalf("join: %d %q %q", rc, out, stderr)
	}
	got, ok, err := core.ReadPass(dir)
	if err != nil || !ok || got != pc {
		t.Fatalf("pass kept: %v %v", ok, err)
	}
	if wk, ok, _ := core.ReadWorkspaceKey(dir); !ok || wk != k {
		t.Fatal("the workspace key is not kept")
	}
	plain, _ := inv.Code()
	if _, stderr, rc := runCLI("workspace", "join", plain, "--data", dir); rc != 0 {
		t.Fatalf("join with the invite code: %q", stderr)
	}
	if _, ok, _ := core.ReadPass(dir); ok {
		t.Fatal("the pass outlives a join without it")
	}
}
