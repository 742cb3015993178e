package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"hallway/chat"
	"hallway/control"
	"hallway/core"
	"hallway/node"
)

// runCLI runs the command line in-process and returns stdout, stderr and
// the exit status.
func runCLI(args ...string) (string, string, int) {
	var out, errb bytes.Buffer
	code := Main(args, &Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb})
	return out.String(), errb.String(), code
}

func TestVerbWithNothingRunning(t *testing.T) {
	dir := t.TempDir()
	for _, verb := range [][]string{{"id"}, {"peers"}, {"send", "Bob", "hi"}, {"history", "Bob"}, {"status", "away"}} {
		_, stderr, code := runCLI(append([]string{"--data", dir}, verb...)...)
		if code == 0 || !strings.Contains(stderr, "not running") || strings.Count(strings.TrimSpace(stderr), "\n") != 0 {
			t.Errorf("%v: code %d, stderr %q: want one line saying nothing is running", verb, code, stderr)
		}
	}
}

func TestUsageErrors(t *testing.T) {
	cases := [][]string{{"frobnicate"}, {"send", "--bogus"}, {"history"}}
	for _, args := range cases {
		_, stderr, code := runCLI(append([]string{"--data", t.TempDir()}, args...)...)
		if code == 0 || stderr == "" {
			t.Errorf("%v: code %d stderr %q", args, code, stderr)
		}
	}
	out, _, code := runCLI("help")
	if code != 0 || !strings.Contains(out, "hallway send") {
		t.Fatalf("help: %d %q", code, out)
	}
	for verb, want := range map[string]string{"room": "invite-code", "file": "decline", "daemon": "--max-file-size"} {
		if out, _, code := runCLI(verb, "--help"); code != 0 || !strings.Contains(out, want) {
			t.Errorf("%s --help: %d %q lacks %q", verb, code, out, want)
		}
	}
}

func TestWorkspaceVerbs(t *testing.T) {
	dir := t.TempDir()
	out, _, code := runCLI("workspace", "--data", dir)
	if code != 0 || !strings.Contains(out, "Open LAN") {
		t.Fatalf("show: %d %q", code, out)
	}
	out, _, code = runCLI("workspace", "create", "--json", "--data", dir)
	if code != 0 {
		t.Fatalf("create: %d", code)
	}
	var info workspaceInfo
	if err := json.Unmarshal([]byte(out), &info); err != nil || info.Workspace != "private" || info.InviteCode == "" {
		t.Fatalf("create: %q %v", out, err)
	}
	fi, err := os.Stat(filepath.Join(dir, "swarm.key"))
	if err != nil || runtime.GOOS != "windows" && fi.Mode().Perm() != 0o600 { // Windows: the folder's access list
		t.Fatalf("swarm.key: %v %v", fi, err)
	}
	if _, stderr, code := runCLI("workspace", "create", "--data", dir); code == 0 || !strings.Contains(stderr, "--force") {
		t.Fatalf("a second create must ask for --force: %d %q", code, stderr)
	}
	other := t.TempDir()
	if _, stderr, code := runCLI("workspace", "join", info.InviteCode, "--data", other); code != 0 {
		t.Fatalf("join: %q", stderr)
	}
	out, _, _ = runCLI("workspace", "invite", "--data", other)
	if strings.TrimSpace(out) != info.InviteCode {
		t.Fatalf("invite after join: %q want %q", out, info.InviteCode)
	}
	if _, stderr, code := runCLI("workspace", "join", "HW1-AAAAA-BBBBB", "--data", t.TempDir()); code == 0 || !strings.Contains(stderr, "invite code") {
		t.Fatalf("bad code: %q", stderr)
	}
}

// TestDaemonAndVerbs runs a daemon in-process and drives it like a user.
func TestDaemonAndVerbs(t *testing.T) {
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
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("daemon: %v", err)
		}
	}()

	// On Windows the endpoint is a named pipe, whose access list
	// control/endpoint_windows_test.go checks.
	if runtime.GOOS != "windows" {
		fi, err := os.Stat(core.SocketPath(dir))
		if err != nil || fi.Mode().Perm() != 0o600 {
			t.Fatalf("control socket must be owner-only: %v %v", fi, err)
		}
	}
	out, _, code := runCLI("id", "--json", "--data", dir)
	var me chat.Self
	if code != 0 || json.Unmarshal([]byte(out), &me) != nil || me.Name != "Ann" || me.Fingerprint == "" {
		t.Fatalf("id: %d %q", code, out)
	}
	out, _, code = runCLI("id", "--data", dir)
	if code != 0 || !strings.Contains(out, "#general is visible to every network this computer joins") {
		t.Fatalf("id in the open LAN must say who sees #general: %d %q", code, out)
	}
	out, _, code = runCLI("peers", "--json", "--data", dir)
	if code != 0 || strings.TrimSpace(out) != "[]" {
		t.Fatalf("peers with nobody around must be an empty JSON array: %q", out)
	}
	if _, stderr, code := runCLI("send", "Nobody", "hi", "--data", dir); code == 0 || !strings.Contains(stderr, "no colleague") {
		t.Fatalf("unknown peer: %q", stderr)
	}
	// Read receipts: on by default, turned off and on again.
	if out, _, code := runCLI("settings", "--data", dir); code != 0 || !strings.Contains(out, "read receipts   on") {
		t.Fatalf("settings: %d %q", code, out)
	}
	if out, stderr, code := runCLI("settings", "read-receipts", "off", "--json", "--data", dir); code != 0 || !strings.Contains(out, `"no_read_receipts": true`) {
		t.Fatalf("settings read-receipts off: %d %q %q", code, out, stderr)
	}
	if out, _, _ := runCLI("settings", "--data", dir); !strings.Contains(out, "read receipts   off") {
		t.Fatalf("read receipts not saved off: %q", out)
	}
	if _, stderr, code := runCLI("settings", "read-receipts", "maybe", "--data", dir); code == 0 || !strings.Contains(stderr, "on or off") {
		t.Fatalf("settings read-receipts maybe: %q", stderr)
	}
	if _, stderr, code := runCLI("status", "busy", "deadline", "--data", dir); code != 0 {
		t.Fatalf("status: %q", stderr)
	}
	out, _, _ = runCLI("status", "--json", "--data", dir)
	if !strings.Contains(out, `"busy"`) || !strings.Contains(out, "deadline") {
		t.Fatalf("status: %q", out)
	}
	_, stderr, code := runCLI("daemon", "--no-mdns", "--data", dir)
	if code == 0 || !strings.Contains(stderr, "already running") {
		t.Fatalf("second daemon: %d %q", code, stderr)
	}
	// A raw oversize request is refused by the API itself.
	big := strings.Repeat("x", 7*chat.MaxTextBytes)
	if _, err := control.NewClient(dir).Send(context.Background(), "Bob", big); err == nil {
		t.Fatal("oversize request accepted")
	}
}

// runNode runs a node with its control API, as the daemon does, calling
// started with each service that comes up.
func runNode(ctx context.Context, cfg core.Config, started func(*core.Service)) error {
	return node.New(node.Config{Config: cfg, Started: started}).Run(ctx)
}

// A build without the window (the tag headless) says so in its version.
func TestVersionSaysHeadless(t *testing.T) {
	if out, _, code := runCLI("version"); code != 0 || out != "hallway "+Version+" (headless: no window)\n" {
		t.Fatalf("headless version: code %d %q", code, out)
	}
	var out bytes.Buffer
	env := &Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &out, RunWindow: func(context.Context, *WindowNode, *slog.Logger) error { return nil }}
	if code := Main([]string{"version"}, env); code != 0 || out.String() != "hallway "+Version+"\n" {
		t.Fatalf("window version: code %d %q", code, out.String())
	}
}
