package fleet

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
)

// built is one hallway executable built for a set of build tags.
type built struct {
	once sync.Once
	path string
	err  error
}

var (
	buildsMu sync.Mutex
	builds   = map[string]*built{}
	buildDir string
)

// Binary returns the path of a hallway executable built from this module,
// building it on first use. The file lives until Cleanup is called (from
// TestMain) or the machine's temporary folder is cleaned.
func Binary(t testing.TB) string { return BinaryTags(t, "") }

// HeadlessBinary is Binary built as make daemon builds it: with the tag
// headless (no window, no Fyne) and without cgo.
func HeadlessBinary(t testing.TB) string { return BinaryTags(t, "headless") }

// BinaryTags is Binary built with the build tags tags ("" for none).
func BinaryTags(t testing.TB, tags string) string {
	t.Helper()
	buildsMu.Lock()
	b := builds[tags]
	if b == nil {
		b = &built{}
		builds[tags] = b
	}
	buildsMu.Unlock()
	b.once.Do(func() {
		buildsMu.Lock()
		if buildDir == "" {
			buildDir, b.err = os.MkdirTemp("", "hallway-fleet-bin")
		}
		dir := buildDir
		buildsMu.Unlock()
		if b.err != nil {
			return
		}
		name := "hallway"
		if tags != "" {
			name += "-" + tags
		}
		b.path = filepath.Join(dir, name)
		cmd := exec.Command("go", "build", "-tags", tags, "-o", b.path, "hallway")
		if tags == "headless" {
			cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		}
		if out, err := cmd.CombinedOutput(); err != nil {
			b.err = fmt.Errorf("build hallway (tags %q): %v\n%s", tags, err, out)
			return
		}
		b.err = syncFile(b.path)
	})
	if b.err != nil {
		t.Fatal(b.err)
	}
	return b.path
}

// Cleanup removes the built binaries; call it from TestMain after m.Run.
func Cleanup() {
	buildsMu.Lock()
	defer buildsMu.Unlock()
	if buildDir != "" {
		os.RemoveAll(buildDir)
	}
}

// syncFile writes the file at path to disk. A program just built sits in
// the page cache as dirty pages until the kernel writes it back, and the
// kernel counts those pages as private dirty memory of every process
// mapping them, so a measurement of the process would count its code as
// the memory it allocated; once written, they count as clean, as an
// installed program's do.
func syncFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Sync()
}
