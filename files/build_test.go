//go:build unix

package files

import (
	"bytes"
	"context"
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"syscall"
	"testing"
)

// randomBytes is deterministic so a failure can be reproduced.
func randomBytes(n int, seed uint64) []byte {
	b := make([]byte, n)
	rand.NewChaCha8([32]byte{byte(seed)}).Read(b)
	return b
}

func writeFile(t testing.TB, path string, data []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// checkChunks verifies every chunk of m against the bytes on disk under
// base, and that a single flipped byte is caught.
func checkChunks(t *testing.T, m *Manifest, content map[string][]byte) {
	t.Helper()
	for i := range m.ChunkCount() {
		e, off, n := m.Chunk(i)
		data := content[m.Entries[e].Path][off : off+n]
		if err := VerifyChunk(m, i, data); err != nil {
			t.Fatalf("chunk %d: %v", i, err)
		}
		bad := bytes.Clone(data)
		bad[len(bad)/2] ^= 1
		if err := VerifyChunk(m, i, bad); !errors.Is(err, ErrChunkMismatch) {
			t.Fatalf("chunk %d with a flipped byte: err = %v, want ErrChunkMismatch", i, err)
		}
	}
}

func TestBuildManifestSingleFiles(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name   string
		file   string
		data   []byte
		chunks int
	}{
		{"5 MiB random", "big.bin", randomBytes(5<<20+123, 1), 6},
		{"empty", "empty.txt", nil, 0},
		{"one byte", "one", []byte{7}, 1},
		{"exactly one chunk", "exact", randomBytes(MinChunkSize, 2), 1},
		{"unsafe local name", "a:b.txt", []byte("x"), 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := filepath.Join(dir, tt.file)
			writeFile(t, p, tt.data)
			var last, calls int64
			m, skipped, err := BuildManifest(context.Background(), p, func(done, total int64) {
				if done < last || total != int64(len(tt.data)) {
					t.Errorf("progress(%d, %d) after %d", done, total, last)
				}
				last = done
				calls++
			})
			if err != nil {
				t.Fatalf("BuildManifest: %v", err)
			}
			if len(skipped) != 0 || m.Folder || m.Name != SafeName(tt.file) || len(m.Entries) != 1 {
				t.Fatalf("manifest %+v, skipped %v", m, skipped)
			}
			if m.ChunkCount() != tt.chunks || m.TotalSize() != int64(len(tt.data)) {
				t.Fatalf("%d chunks, %d bytes; want %d, %d", m.ChunkCount(), m.TotalSize(), tt.chunks, len(tt.data))
			}
			if calls == 0 || last != int64(len(tt.data)) {
				t.Errorf("progress ended at %d after %d calls", last, calls)
			}
			back, err := UnmarshalManifest(m.Marshal())
			if err != nil {
				t.Fatalf("UnmarshalManifest: %v", err)
			}
			if back.Hash() != m.Hash() {
				t.Fatal("hash changed across the round trip")
			}
			checkChunks(t, back, map[string][]byte{m.Name: tt.data})
		})
	}
}

func TestBuildManifestFolder(t *testing.T) {
	root := filepath.Join(t.TempDir(), "Project")
	content := map[string][]byte{
		"readme.txt":         []byte("hello"),
		"empty":              nil,
		"src/main.go":        randomBytes(3<<20, 3),
		"src/deep/er/x.bin":  randomBytes(1, 4),
		"src/deep/er/y.bin":  randomBytes(MinChunkSize+1, 5),
		"a-b/c":              []byte("sorts between a and a/b"),
		"docs/report (1).md": []byte("# r"),
	}
	for rel, data := range content {
		writeFile(t, filepath.Join(root, rel), data)
	}
	if err := os.MkdirAll(filepath.Join(root, "empty-dir/inner"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("/etc/passwd", filepath.Join(root, "src/link")); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(filepath.Join(root, "docs/pipe"), 0o644); err != nil {
		t.Fatal(err)
	}
	// Two local names that clean to the same "x_y": only one can go.
	writeFile(t, filepath.Join(root, "x:y"), []byte("1"))
	writeFile(t, filepath.Join(root, "x?y"), []byte("2"))

	m, skipped, err := BuildManifest(context.Background(), root, nil)
	if err != nil {
		t.Fatalf("BuildManifest: %v", err)
	}
	if !m.Folder || m.Name != "Project" {
		t.Fatalf("Name %q Folder %v", m.Name, m.Folder)
	}
	slices.Sort(skipped)
	if want := []string{"docs/pipe", "src/link", "x?y"}; !slices.Equal(skipped, want) {
		t.Errorf("skipped = %q, want %q", skipped, want)
	}
	content["x_y"] = []byte("1")
	got := map[string]bool{}
	for _, e := range m.Entries {
		got[e.Path] = true
		if want, ok := content[e.Path]; !ok || int64(len(want)) != e.Size {
			t.Errorf("unexpected entry %q (%d bytes)", e.Path, e.Size)
		}
	}
	if len(got) != len(content) {
		t.Errorf("entries %v, want the %d files of %v", got, len(content), content)
	}
	back, err := UnmarshalManifest(m.Marshal())
	if err != nil {
		t.Fatalf("UnmarshalManifest: %v", err)
	}
	if back.Hash() != m.Hash() {
		t.Fatal("hash changed across the round trip")
	}
	checkChunks(t, back, content)
}

func TestBuildManifestErrors(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "f"), randomBytes(2<<20, 6))
	if err := syscall.Mkfifo(filepath.Join(dir, "fifo"), 0o644); err != nil {
		t.Fatal(err)
	}
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name string
		ctx  context.Context
		path string
		want error
	}{
		{"missing", context.Background(), filepath.Join(dir, "nope"), os.ErrNotExist},
		{"fifo", context.Background(), filepath.Join(dir, "fifo"), ErrNotRegular},
		{"cancelled file", cancelled, filepath.Join(dir, "f"), context.Canceled},
		{"cancelled folder", cancelled, dir, context.Canceled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, _, err := BuildManifest(tt.ctx, tt.path, nil); !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
		})
	}
}

// TestBuildManifestCancelMidway cancels from the progress callback, the
// way a user pressing Cancel during hashing would.
func TestBuildManifestCancelMidway(t *testing.T) {
	p := filepath.Join(t.TempDir(), "f")
	writeFile(t, p, randomBytes(16<<20, 7))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	_, _, err := BuildManifest(ctx, p, func(done, total int64) { cancel() })
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
}

func TestBuildManifestNamesDotAfterFolder(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "Reports")
	writeFile(t, filepath.Join(dir, "q1.txt"), []byte("x"))
	t.Chdir(dir)
	m, _, err := BuildManifest(context.Background(), ".", nil)
	if err != nil {
		t.Fatalf("BuildManifest: %v", err)
	}
	if m.Name != "Reports" || !m.Folder {
		t.Fatalf("Name %q Folder %v", m.Name, m.Folder)
	}
}

func TestBuildManifestFollowsTopLevelSymlink(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "real/f.txt"), []byte("x"))
	link := filepath.Join(dir, "Shared")
	if err := os.Symlink(filepath.Join(dir, "real"), link); err != nil {
		t.Fatal(err)
	}
	m, _, err := BuildManifest(context.Background(), link, nil)
	if err != nil {
		t.Fatalf("BuildManifest: %v", err)
	}
	if m.Name != "Shared" || len(m.Entries) != 1 || m.Entries[0].Path != "f.txt" {
		t.Fatalf("manifest %+v", m)
	}
}

func TestChunkSizeForFiles(t *testing.T) {
	many := func(n int, size int64) []source {
		s := make([]source, n)
		for i := range s {
			s[i].size = size
		}
		return s
	}
	tests := []struct {
		name    string
		srcs    []source
		want    int64
		wantErr bool
	}{
		{"nothing", nil, MinChunkSize, false},
		{"rounding stays under", many(1000, MinChunkSize+1), MinChunkSize, false},
		{"rounding pushes over", many(10000, 6*MinChunkSize+1), 2 * MinChunkSize, false},
		{"cannot fit", many(10000, 200*MaxChunkSize), 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := chunkSizeForFiles(tt.srcs)
			if tt.wantErr {
				if !errors.Is(err, ErrTooLarge) {
					t.Fatalf("got %d, %v; want ErrTooLarge", got, err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("got %d, %v; want %d", got, err, tt.want)
			}
		})
	}
}

func TestBuildManifestTooManyFiles(t *testing.T) {
	dir := t.TempDir()
	for i := range MaxEntries + 1 {
		f, err := os.Create(filepath.Join(dir, strconv.Itoa(i)))
		if err != nil {
			t.Fatal(err)
		}
		f.Close()
	}
	if _, _, err := BuildManifest(context.Background(), dir, nil); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("err = %v, want ErrTooLarge", err)
	}
}
