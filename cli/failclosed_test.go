package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"hallway/chat"
	"hallway/core"
)

func TestIDSaysWhoSeesGeneral(t *testing.T) {
	var open, private bytes.Buffer
	printSelf(&open, chat.Self{Name: "Ann", Workspace: core.WorkspaceOpen})
	printSelf(&private, chat.Self{Name: "Ann", Workspace: core.WorkspacePrivate, WorkspaceTag: "abc"})
	const warning = "#general is visible to every network this computer joins"
	if !strings.Contains(open.String(), warning) {
		t.Fatalf("id in the open LAN does not warn:\n%s", open.String())
	}
	if strings.Contains(private.String(), warning) {
		t.Fatalf("id in a private workspace warns about the open LAN:\n%s", private.String())
	}
}

func TestLostKeyNeedsJoinOrLeave(t *testing.T) {
	dir := t.TempDir()
	if _, stderr, code := runCLI("workspace", "create", "--data", dir); code != 0 {
		t.Fatalf("create: %q", stderr)
	}
	code, _, _ := runCLI("workspace", "invite", "--data", dir)
	code = strings.TrimSpace(code)
	if err := os.Remove(filepath.Join(dir, "swarm.key")); err != nil {
		t.Fatal(err)
	}
	if out, stderr, rc := runCLI("workspace", "--data", dir); rc == 0 || !strings.Contains(stderr, "hallway workspace leave") {
		t.Fatalf("show without the key must not read as the open LAN: %d %q %q", rc, out, stderr)
	}
	if _, stderr, rc := runCLI("daemon", "--no-mdns", "--listen", "/ip4/127.0.0.1/tcp/0", "--data", dir); rc == 0 || !strings.Contains(stderr, "did not start") {
		t.Fatalf("daemon without the key: %d %q", rc, stderr)
	}
	if _, stderr, rc := runCLI("workspace", "join", code, "--data", dir); rc != 0 {
		t.Fatalf("join again: %q", stderr)
	}
	if out, _, rc := runCLI("workspace", "--data", dir); rc != 0 || !strings.Contains(out, "rivate") {
		t.Fatalf("show after join: %d %q", rc, out)
	}
	if err := os.Remove(filepath.Join(dir, "swarm.key")); err != nil {
		t.Fatal(err)
	}
	if _, stderr, rc := runCLI("workspace", "leave", "--data", dir); rc != 0 {
		t.Fatalf("leave offline: %q", stderr)
	}
	if out, _, rc := runCLI("workspace", "--data", dir); rc != 0 || !strings.Contains(out, "Open LAN") {
		t.Fatalf("show after leave: %d %q", rc, out)
	}
}
