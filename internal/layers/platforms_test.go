package layers

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// goCmd runs the go command with extra environment and returns its
// output, failing the test with its error output.
func goCmd(t *testing.T, env []string, args ...string) string {
	t.Helper()
	cmd := exec.Command(goTool(), args...)
	cmd.Env = append(os.Environ(), env...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s go %s: %v\n%s", strings.Join(env, " "), strings.Join(args, " "), err, stderr.String())
	}
	return string(out)
}

// The headless build (go build -tags headless, make daemon) links neither
// the window nor Fyne, on any platform.
func TestHeadlessLinksNoWindow(t *testing.T) {
	for _, goos := range []string{"linux", "darwin", "windows"} {
		deps := goCmd(t, []string{"GOOS=" + goos, "CGO_ENABLED=0"}, "list", "-deps", "-tags", "headless", module)
		for d := range strings.Lines(deps) {
			d = strings.TrimSpace(d)
			if strings.HasPrefix(d, "fyne.io/") || d == module+"/app" || d == module+"/desktop" {
				t.Errorf("%s: the headless build links %s", goos, d)
			}
		}
	}
}

// Every package but the windows (Hallway's and the window benchmark's
// bare baseline, which need cgo on a Mac) builds and vets for macOS, and
// the headless binary cross-compiles for both Mac architectures without
// cgo (SQLite is modernc.org/sqlite, pure Go).
func TestDarwinBuilds(t *testing.T) {
	windows := map[string]bool{module + "/app": true, module + "/internal/barewindow": true}
	var pkgs []string
	for p := range strings.Lines(goCmd(t, nil, "list", module+"/...")) {
		if p = strings.TrimSpace(p); !windows[p] && p != "" {
			pkgs = append(pkgs, p)
		}
	}
	out := t.TempDir()
	for _, arch := range []string{"arm64", "amd64"} {
		env := []string{"GOOS=darwin", "GOARCH=" + arch, "CGO_ENABLED=0"}
		bin := filepath.Join(out, "hallway-darwin-"+arch)
		goCmd(t, env, "build", "-tags", "headless", "-o", bin, module)
		if fi, err := os.Stat(bin); err != nil || fi.Size() == 0 {
			t.Fatalf("darwin/%s: no binary: %v", arch, err)
		}
	}
	goCmd(t, []string{"GOOS=darwin", "GOARCH=arm64", "CGO_ENABLED=0"}, append([]string{"vet", "-tags", "headless"}, pkgs...)...)
}

// The desktop's idle sources build for each platform's window: X11 and
// the fallback here, Windows' in the Windows cross build, macOS's
// without cgo (the HID source itself needs Apple's SDK and cgo).
func TestDesktopIdleBuildsEverywhere(t *testing.T) {
	for _, target := range [][]string{
		{"GOOS=linux", "GOARCH=amd64"},
		{"GOOS=freebsd", "GOARCH=amd64", "CGO_ENABLED=0"},
		{"GOOS=windows", "GOARCH=amd64", "CGO_ENABLED=0"},
		{"GOOS=darwin", "GOARCH=arm64", "CGO_ENABLED=0"},
	} {
		goCmd(t, target, "vet", module+"/desktop")
	}
}
