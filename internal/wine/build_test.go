package wine

import (
	"bytes"
	"os"
	"testing"
)

// TestCrossCompileWindows builds hallway.exe, the window included, for
// windows/amd64 with cgo and MinGW-w64, as `make windows` does.
func TestCrossCompileWindows(t *testing.T) {
	exe := Exe(t)
	f, err := os.Open(exe)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	head := make([]byte, 2)
	if _, err := f.Read(head); err != nil || !bytes.Equal(head, []byte("MZ")) {
		t.Fatalf("%s is not a Windows executable (starts %q, %v)", exe, head, err)
	}
	fi, _ := f.Stat()
	t.Logf("hallway.exe: %.1f MiB", float64(fi.Size())/(1<<20))
}
