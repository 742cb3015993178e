package fleet

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
)

var build struct {
	once sync.Once
	path string
	err  error
}

// Binary returns the path of a hallway executable built from this module,
// building it on first use. The file lives until Cleanup is called (from
// TestMain) or the machine's temporary folder is cleaned.
func Binary(t testing.TB) string {
	t.Helper()
	build.once.Do(func() {
		dir, err := os.MkdirTemp("", "hallway-fleet-bin")
		if err != nil {
			build.err = err
			return
		}
		build.path = filepath.Join(dir, "hallway")
		cmd := exec.Command("go", "build", "-o", build.path, "hallway")
		if out, err := cmd.CombinedOutput(); err != nil {
			build.err = fmt.Errorf("build hallway: %v\n%s", err, out)
		}
	})
	if build.err != nil {
		t.Fatal(build.err)
	}
	return build.path
}

// Cleanup removes the built binary; call it from TestMain after m.Run.
func Cleanup() {
	if build.path != "" {
		os.RemoveAll(filepath.Dir(build.path))
	}
}
