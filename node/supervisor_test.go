package node

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"hallway/chat"
	"hallway/control"
	"hallway/core"
	hcrypto "hallway/crypto"
)

// deadline bounds every wait in these tests.
const deadline = 30 * time.Second

// running is a supervisor under test and the services it brought up.
type running struct {
	t       *testing.T
	sup     *Supervisor
	started chan *core.Service
	done    chan error
}

// start runs a supervisor on loopback without mDNS and waits for its
// first service.
func start(t *testing.T, name string) (*running, *core.Service) {
	t.Helper()
	// Short path: a Unix socket path must stay under ~104 bytes.
	dir, err := os.MkdirTemp("", "hw-node-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	r := &running{t: t, started: make(chan *core.Service, 4), done: make(chan error, 1)}
	r.sup = New(Config{
		Config: core.Config{DataDir: dir, Name: name, NoMDNS: true, ListenAddrs: []string{"/ip4/127.0.0.1/tcp/0"},
			Files: core.FilesConfig{Downloads: t.TempDir()}},
		Started: func(svc *core.Service) { r.started <- svc },
	})
	ctx, cancel := context.WithCancel(context.Background())
	go func() { r.done <- r.sup.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-r.done:
			if err != nil {
				t.Errorf("%s: Run: %v", name, err)
			}
		case <-time.After(deadline):
			t.Errorf("%s did not stop", name)
		}
	})
	return r, r.next()
}

// next waits for the next service to come up.
func (r *running) next() *core.Service {
	r.t.Helper()
	select {
	case svc := <-r.started:
		if r.sup.Current() != svc {
			r.t.Fatal("the service that started is not the current one")
		}
		return svc
	case err := <-r.done:
		r.t.Fatalf("the supervisor stopped: %v", err)
	case <-time.After(deadline):
		r.t.Fatal("no service came up")
	}
	return nil
}

func self(t *testing.T, svc *core.Service) chat.Self {
	t.Helper()
	me, err := svc.Self(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return me
}

// waitClosed waits until an event channel of a closed service ends.
func waitClosed(t *testing.T, events <-chan chat.Event) {
	t.Helper()
	timeout := time.After(deadline)
	for {
		select {
		case _, ok := <-events:
			if !ok {
				return
			}
		case <-timeout:
			t.Fatal("the old service's events did not end")
		}
	}
}

func TestSwitchWorkspaceLive(t *testing.T) {
	ctx := context.Background()
	ann, annSvc := start(t, "Ann")
	if me := self(t, annSvc); me.Workspace != core.WorkspaceOpen {
		t.Fatalf("a new node must start in the open workspace: %+v", me)
	}

	// create: the node restarts in a new private workspace
	oldEvents := annSvc.Subscribe(ctx)
	code, err := ann.sup.Create(ctx, false)
	if err != nil {
		t.Fatal(err)
	}
	waitClosed(t, oldEvents)
	annSvc = ann.next()
	annMe := self(t, annSvc)
	if annMe.Workspace != core.WorkspacePrivate {
		t.Fatalf("after create: %+v", annMe)
	}
	// The same code; where the node listens may have been learnt between
	// the two.
	if got, private, err := ann.sup.Invite(); err != nil || !private || bareCode(t, got) != bareCode(t, code) {
		t.Fatalf("invite after create: %q %v %v; create said %q", got, private, err, code)
	}
	// replacing a private workspace needs force, and is refused before
	// the node stops
	if _, err := ann.sup.Create(ctx, false); err == nil {
		t.Fatal("replacing a private workspace without force must fail")
	}
	if ann.sup.Current() != annSvc {
		t.Fatal("a refused switch must not restart the node")
	}

	// join, through the control socket: the two connect and talk
	bob, bobSvc := start(t, "Bob")
	st, err := control.NewClient(bob.sup.DataDir()).SwitchWorkspace(ctx, control.WorkspaceRequest{Action: control.WorkspaceJoin, Code: code})
	if err != nil {
		t.Fatal(err)
	}
	if st.Workspace != core.WorkspacePrivate || st.Tag != annMe.WorkspaceTag {
		t.Fatalf("join answered %+v, want Ann's workspace %s", st, annMe.WorkspaceTag)
	}
	if bob.next() == bobSvc {
		t.Fatal("join must bring up a new service")
	}
	bobSvc = bob.sup.Current()
	me, err := control.NewClient(bob.sup.DataDir()).Self(ctx)
	if err != nil {
		t.Fatalf("the control socket must serve the new service: %v", err)
	}
	if me.WorkspaceTag != annMe.WorkspaceTag {
		t.Fatalf("Bob's workspace %s, want %s", me.WorkspaceTag, annMe.WorkspaceTag)
	}
	annEvents := annSvc.Subscribe(ctx)
	res, err := bobSvc.AddPeer(ctx, annMe.Addrs[0]+"/p2p/"+annMe.PeerID)
	if err != nil || !res.Connected {
		t.Fatalf("Bob could not reach Ann in the same workspace: %+v %v", res, err)
	}
	if _, err := bobSvc.Send(ctx, annMe.PeerID, "hello from the workspace"); err != nil {
		t.Fatal(err)
	}
	waitMessage(t, annEvents, "hello from the workspace")

	// leave: back to the open workspace
	if err := ann.sup.Leave(ctx); err != nil {
		t.Fatal(err)
	}
	annSvc = ann.next()
	if me := self(t, annSvc); me.Workspace != core.WorkspaceOpen {
		t.Fatalf("after leave: %+v", me)
	}
	if _, private, err := ann.sup.Invite(); err != nil || private {
		t.Fatalf("invite after leave: private %v, %v", private, err)
	}
}

func waitMessage(t *testing.T, events <-chan chat.Event, text string) {
	t.Helper()
	timeout := time.After(deadline)
	for {
		select {
		case ev, ok := <-events:
			if !ok {
				t.Fatal("events ended before the message came")
			}
			if m, ok := ev.(chat.MessageReceived); ok && m.Message.Text == text {
				return
			}
		case <-timeout:
			t.Fatalf("%q did not arrive", text)
		}
	}
}

func TestRestartKeepsWorkspace(t *testing.T) {
	ctx := context.Background()
	ann, annSvc := start(t, "Ann")
	before := self(t, annSvc)
	if err := ann.sup.Restart(ctx); err != nil {
		t.Fatal(err)
	}
	after := self(t, ann.next())
	if after.PeerID != before.PeerID || after.WorkspaceTag != before.WorkspaceTag {
		t.Fatalf("restart changed the node: %+v → %+v", before, after)
	}
}

func TestSwitchNeedsARunningNode(t *testing.T) {
	sup := New(Config{Config: core.Config{DataDir: t.TempDir()}})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := sup.Leave(ctx); err == nil {
		t.Fatal("a switch before Run must fail")
	}
}

func TestUnknownWorkspaceAction(t *testing.T) {
	if _, err := Request(t.TempDir(), control.WorkspaceRequest{Action: "rename"}); err == nil {
		t.Fatal("an unknown action must be refused")
	}
	if _, err := Request(t.TempDir(), control.WorkspaceRequest{Action: control.WorkspaceJoin, Code: "HW1-AAAAA"}); err == nil {
		t.Fatal("a bad invite code must be refused")
	}
}

// A rotation of the network key restarts the node on the new key, in
// place: the next service runs on it, and the data folder keeps it for
// every later start; invite codes carry it from then on.
func TestRotationReopensOnTheNewKey(t *testing.T) {
	ctx := context.Background()
	ann, _ := start(t, "Ann")
	if _, err := ann.sup.Create(ctx, false); err != nil {
		t.Fatal(err)
	}
	svc := ann.next()
	if _, err := svc.SetPolicy(ctx, "members.admission", "admins"); err != nil {
		t.Fatal(err)
	}
	before := svc.NetworkKeyState()
	st, err := svc.RotateNetworkKey(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !st.Rotated || st.Tag == before.Tag {
		t.Fatalf("rotated from %+v to %+v", before, st)
	}
	again := ann.next() // the supervisor opened the folder on the new key
	if got := again.NetworkKeyState(); got.Tag != st.Tag || !got.Rotated || len(got.GraceUntil) != 1 {
		t.Fatalf("the reopened node runs on %+v, want %+v", got, st)
	}
	code, private, err := Invite(ann.sup.DataDir())
	if err != nil || !private || !strings.HasPrefix(code, "HW4-") {
		t.Fatalf("the invite code after a rotation: %.8s, %v, %v", code, private, err)
	}
	if err := ann.sup.Restart(ctx); err != nil {
		t.Fatal(err)
	}
	if got := ann.next().NetworkKeyState(); got.Tag != st.Tag {
		t.Fatalf("after a restart the node runs on %s, want %s", got.Tag, st.Tag)
	}
}

// bareCode is a code without the addresses it may end in.
func bareCode(t *testing.T, code string) string {
	t.Helper()
	bare, _, err := hcrypto.SplitCodeAddrs(code)
	if err != nil {
		t.Fatalf("code %q: %v", code, err)
	}
	return strings.ReplaceAll(bare, "-", "")
}
