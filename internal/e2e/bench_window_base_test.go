package e2e

import (
	"bufio"
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"hallway/internal/fleet"
)

// bareWindowMem starts the window benchmark's baseline, a Fyne window with
// nothing of Hallway in it (internal/barewindow), on x's display, and
// returns its memory once it has drawn and settled.
func bareWindowMem(t *testing.T, x *fleet.X) fleet.Mem {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "barewindow")
	if out, err := exec.Command("go", "build", "-o", bin, "hallway/internal/barewindow").CombinedOutput(); err != nil {
		t.Fatalf("build the baseline window: %v\n%s", err, out)
	}
	// A file just written sits dirty in the page cache, and the pages of
	// it that only this process maps would count as its private memory.
	if f, err := os.Open(bin); err == nil {
		f.Sync()
		f.Close()
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// Fyne keeps settings and a cache in the home folder; what a window
	// killed mid-write leaves there must not fail the test's cleanup.
	home, err := os.MkdirTemp("", "barewindow-home")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(home)
	cmd := x.Host.Command(ctx, bin)
	cmd.Env = append(os.Environ(), "LANG=C.UTF-8", "DISPLAY="+x.Display, "WAYLAND_DISPLAY=",
		"XDG_RUNTIME_DIR="+home, "HOME="+home)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start the baseline window: %v", err)
	}
	defer cmd.Wait()
	defer cancel()
	settled := make(chan bool, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if sc.Text() == "settled" {
				settled <- true
				return
			}
		}
		settled <- false
	}()
	select {
	case ok := <-settled:
		if !ok {
			cmd.Wait()
			t.Fatalf("the baseline window ended before it settled:\n%s", fleet.Tail(stderr.Bytes(), 3000))
		}
	case <-time.After(60 * time.Second):
		t.Fatal("the baseline window did not settle within 60 s")
	}
	m, err := fleet.ReadMem(cmd.Process.Pid)
	if err != nil {
		t.Fatal(err)
	}
	return m
}
