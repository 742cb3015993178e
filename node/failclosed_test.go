package node

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"hallway/chat"
	"hallway/core"
	hcrypto "hallway/crypto"
)

// runOn runs a supervisor on dir until the test ends. It returns the first
// service, or the error Run stopped with before one came up.
func runOn(t *testing.T, dir string) (*core.Service, func(), error) {
	t.Helper()
	started := make(chan *core.Service, 4)
	done := make(chan error, 1)
	sup := New(Config{
		Config: core.Config{DataDir: dir, Name: "Ann", NoMDNS: true, ListenAddrs: []string{"/ip4/127.0.0.1/tcp/0"},
			Files: core.FilesConfig{Downloads: t.TempDir()}},
		Started: func(svc *core.Service) { started <- svc },
	})
	ctx, cancel := context.WithCancel(context.Background())
	go func() { done <- sup.Run(ctx) }()
	stop := func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Run: %v", err)
			}
		case <-time.After(deadline):
			t.Error("the node did not stop")
		}
	}
	select {
	case svc := <-started:
		return svc, stop, nil
	case err := <-done:
		cancel()
		if err == nil {
			err = errors.New("Run returned nil before a service came up")
		}
		return nil, func() {}, err
	case <-time.After(deadline):
		cancel()
		t.Fatal("no service came up and Run did not fail")
	}
	return nil, nil, nil
}

// refused checks that starting on dir fails with the sentence that says
// what happened and what to do.
func refused(t *testing.T, dir string) {
	t.Helper()
	svc, stop, err := runOn(t, dir)
	if err == nil {
		stop()
		t.Fatalf("a node whose private workspace key is gone started (workspace %q)", self(t, svc).Workspace)
	}
	var ue *chat.UserError
	if !errors.As(err, &ue) {
		t.Fatalf("the refusal is not a user error: %v", err)
	}
	msg := ue.Message()
	for _, want := range []string{"did not start", "private workspace", "swarm.key", "backup", "hallway workspace join", "hallway workspace leave", "#general"} {
		if !strings.Contains(msg, want) {
			t.Errorf("the refusal does not mention %q: %s", want, msg)
		}
	}
}

func TestLostWorkspaceKeyFailsClosed(t *testing.T) {
	for _, damage := range []struct {
		name string
		do   func(path string) error
	}{
		{"missing", os.Remove},
		{"corrupt", func(path string) error {
			return os.WriteFile(path, []byte("/key/swarm/psk/1.0.0/\n/base16/\nnot hex\n"), 0o600)
		}},
		{"unreadable", func(path string) error { return os.Chmod(path, 0) }},
	} {
		t.Run(damage.name, func(t *testing.T) {
			if damage.name == "unreadable" && os.Geteuid() == 0 {
				t.Skip("root reads files without read permission")
			}
			if damage.name == "unreadable" && runtime.GOOS == "windows" {
				t.Skip("mode bits cannot make a file unreadable to its owner on Windows")
			}
			dir, err := os.MkdirTemp("", "hw-fc-")
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { os.RemoveAll(dir) })
			svc, stop, err := runOn(t, dir)
			if err != nil {
				t.Fatal(err)
			}
			if me := self(t, svc); me.Workspace != chat.WorkspaceOpen {
				t.Fatalf("a new folder starts in %q", me.Workspace)
			}
			stop()

			// Create a private workspace offline, start in it, stop.
			ch, err := NewWorkspace(dir, false)
			if err != nil {
				t.Fatal(err)
			}
			if err := ch.Apply(dir); err != nil {
				t.Fatal(err)
			}
			code, tag := ch.Key.InviteCode(), ch.Key.Tag()
			svc, stop, err = runOn(t, dir)
			if err != nil {
				t.Fatal(err)
			}
			if me := self(t, svc); me.Workspace != chat.WorkspacePrivate || me.WorkspaceTag != tag {
				t.Fatalf("after create: %q %q", me.Workspace, me.WorkspaceTag)
			}
			stop()

			keyPath := filepath.Join(dir, "swarm.key")
			if err := damage.do(keyPath); err != nil {
				t.Fatal(err)
			}
			refused(t, dir)
			refused(t, dir) // still refused: nothing fell back on the way
			if _, _, err := Invite(dir); err == nil {
				t.Fatal("the invite of a folder without its key reads as the open LAN")
			}

			// Joining again with the code repairs it without --force.
			if damage.name == "unreadable" {
				os.Chmod(keyPath, 0o600)
				os.Remove(keyPath)
			}
			join, err := JoinWorkspace(code, false)
			if err != nil {
				t.Fatal(err)
			}
			if err := join.Check(dir); err != nil {
				t.Fatalf("joining the recorded workspace again is refused: %v", err)
			}
			if err := join.Apply(dir); err != nil {
				t.Fatal(err)
			}
			svc, stop, err = runOn(t, dir)
			if err != nil {
				t.Fatal(err)
			}
			if me := self(t, svc); me.Workspace != chat.WorkspacePrivate || me.WorkspaceTag != tag {
				t.Fatalf("after join: %q %q", me.Workspace, me.WorkspaceTag)
			}
			stop()

			// Leaving offline, even with the key gone, opens the LAN on purpose.
			if err := os.Remove(keyPath); err != nil {
				t.Fatal(err)
			}
			refused(t, dir)
			if err := LeaveWorkspace().Apply(dir); err != nil {
				t.Fatal(err)
			}
			svc, stop, err = runOn(t, dir)
			if err != nil {
				t.Fatal(err)
			}
			if me := self(t, svc); me.Workspace != chat.WorkspaceOpen {
				t.Fatalf("after leave: %q", me.Workspace)
			}
			stop()
		})
	}
}

func TestWorkspaceRecordHoldsNoKey(t *testing.T) {
	dir := t.TempDir()
	k, err := hcrypto.NewWorkspaceKey()
	if err != nil {
		t.Fatal(err)
	}
	if err := core.WriteWorkspaceKey(dir, k, false); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var found bool
	for _, e := range entries {
		if e.Name() == "swarm.key" {
			continue
		}
		found = true
		path := filepath.Join(dir, e.Name())
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		for _, secret := range [][]byte{k[:], k.SwarmKey(), []byte(hex.EncodeToString(k[:])), []byte(k.InviteCode())} {
			if len(secret) > 0 && bytes.Contains(b, secret) {
				t.Fatalf("%s holds the workspace key", e.Name())
			}
		}
		if !bytes.Contains(b, []byte(k.Tag())) {
			t.Fatalf("%s does not name the workspace: %q", e.Name(), b)
		}
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if runtime.GOOS != "windows" && fi.Mode().Perm() != 0o600 { // Windows: the folder's access list
			t.Fatalf("%s is %v, want owner-only", e.Name(), fi.Mode().Perm())
		}
	}
	if !found {
		t.Fatal("joining a private workspace left no record next to the key")
	}
	if err := LeaveWorkspace().Apply(dir); err != nil {
		t.Fatal(err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Fatalf("leave left %v behind", entries)
	}
}
