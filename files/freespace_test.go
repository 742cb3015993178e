package files

import (
	"os"
	"path/filepath"
	"testing"
)

func TestFreeSpaceAndVolume(t *testing.T) {
	dir := t.TempDir()
	free, err := FreeSpaceAt(dir)
	if err != nil || free == 0 {
		t.Fatalf("FreeSpaceAt = %d, %v", free, err)
	}
	a, b := filepath.Join(dir, "a"), filepath.Join(dir, "b")
	for _, d := range []string{a, b} {
		if err := os.Mkdir(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	va, oka := Volume(a)
	vb, okb := Volume(b)
	if !oka || !okb || va != vb {
		t.Fatalf("two folders of one disk: Volume = %d,%v and %d,%v", va, oka, vb, okb)
	}
	if _, ok := Volume(filepath.Join(dir, "missing")); ok {
		t.Error("Volume of a missing folder reported ok")
	}
}
