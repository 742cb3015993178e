//go:build linux

package desktop

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"hallway/internal/testproc"
)

// startSway runs sway on its headless backend with a runtime directory
// of its own and returns the paths of its Wayland and IPC sockets. Sway
// refuses to run as root, so under root it runs as nobody.
func startSway(t *testing.T) (wayland, ipc string) {
	t.Helper()
	if _, err := exec.LookPath("sway"); err != nil {
		t.Skip("Wayland idle test: sway is missing (make deps-test installs it)")
	}
	dir, err := os.MkdirTemp("", "hallway-sway-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	// Once sway is up it runs exec lines, with the sockets in the environment.
	config := "output HEADLESS-1 resolution 640x480\nxwayland disable\n" +
		"exec echo \"ready $WAYLAND_DISPLAY $SWAYSOCK\"\n"
	if err := os.WriteFile(filepath.Join(dir, "config"), []byte(config), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("sway", "-c", filepath.Join(dir, "config"))
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + dir, "XDG_RUNTIME_DIR=" + dir,
		"WLR_BACKENDS=headless", "WLR_LIBINPUT_NO_DEVICES=1", "WLR_RENDERER=pixman"}
	if os.Geteuid() == 0 {
		const nobody = 65534
		if err := os.Chown(dir, nobody, nobody); err != nil {
			t.Fatal(err)
		}
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: nobody, Gid: nobody}}
	}
	var log strings.Builder
	cmd.Stderr = &log
	f := strings.Fields(testproc.FirstLine(t, cmd, "sway", 30*time.Second))
	if len(f) != 3 || f[0] != "ready" {
		t.Fatalf("sway did not start (%q):\n%s", f, log.String())
	}
	wayland, ipc = filepath.Join(dir, f[1]), f[2]
	if fi, err := os.Stat(wayland); err != nil || fi.Mode().Type() != os.ModeSocket {
		t.Fatalf("no Wayland socket at %s: %v", wayland, err)
	}
	return wayland, ipc
}

// waitIdle waits for the compositor to say idled (true) or resumed.
func waitIdle(t *testing.T, events <-chan bool, want bool) {
	t.Helper()
	select {
	case got := <-events:
		if got != want {
			t.Fatalf("the compositor said idle=%v, want %v", got, want)
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("the compositor did not say idle=%v within 30 s", want)
	}
}

// Against a real compositor (sway 1.7 on wlroots 0.15, which offers
// KDE's idle protocol): quiet past the threshold brings idled and an
// idle time of at least the threshold; pointer input through sway's
// own command brings resumed and 0.
func TestWaylandIdleUnderSway(t *testing.T) {
	socket, ipc := startSway(t)
	const threshold = 500 * time.Millisecond
	events := make(chan bool, 8)
	src, err := openWayland(socket, threshold, func(idle bool) { events <- idle })
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()

	waitIdle(t, events, true)
	since, locked, err := src.Idle()
	if err != nil || locked || since < threshold {
		t.Fatalf("idled: idle %v locked %v err %v, want >= %v", since, locked, err, threshold)
	}

	move := exec.Command("swaymsg", "-s", ipc, "seat", "seat0", "cursor", "move", "10", "10")
	if out, err := move.CombinedOutput(); err != nil {
		t.Fatalf("swaymsg: %v\n%s", err, out)
	}
	waitIdle(t, events, false)
	if since, _, err := src.Idle(); err != nil || since != 0 {
		t.Fatalf("resumed: idle %v err %v, want 0", since, err)
	}
}
