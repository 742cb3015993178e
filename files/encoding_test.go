package files

import (
	"encoding/binary"
	"errors"
	"runtime"
	"strings"
	"testing"
)

// enc writes manifest encodings by hand, including ones Marshal would
// never produce.
type enc []byte

func (e enc) u(v uint64) enc    { return binary.AppendUvarint(e, v) }
func (e enc) s(v string) enc    { return append(e.u(uint64(len(v))), v...) }
func (e enc) raw(b ...byte) enc { return append(e, b...) }
func (e enc) hashes(n int) enc  { return append(e, make([]byte, 32*n)...) }

// header starts a manifest: version, flags, name, chunk size, entry count.
func header(folder bool, name string, cs, entries uint64) enc {
	var flags byte
	if folder {
		flags = flagFolder
	}
	return enc{manifestVersion, flags}.s(name).u(cs).u(entries)
}

func TestUnmarshalManifestRejects(t *testing.T) {
	const cs = MinChunkSize
	tests := []struct {
		name string
		in   []byte
	}{
		{"empty", nil},
		{"unknown version", enc{2, 0}.s("a").u(cs).u(1).s("a").u(0).u(0)},
		{"unknown flag", enc{1, 2}.s("a").u(cs).u(1).s("a").u(0).u(0)},
		{"chunk size not a power of two", header(false, "a", cs+1, 1).s("a").u(0).u(0)},
		{"chunk size too small", header(false, "a", cs/2, 1).s("a").u(0).u(0)},
		{"chunk size too large", header(false, "a", 2*MaxChunkSize, 1).s("a").u(0).u(0)},
		{"chunk count mismatch", header(false, "a", cs, 1).s("a").u(3).u(2).hashes(2)},
		{"missing chunk for size", header(false, "a", cs, 1).s("a").u(cs + 1).u(1).hashes(1)},
		{"chunks for empty file", header(false, "a", cs, 1).s("a").u(0).u(1).hashes(1)},
		{"huge declared chunk count", header(false, "a", cs, 1).s("a").u(1 << 40).u(1 << 20)},
		{"size beyond any transfer", header(false, "a", cs, 1).s("a").u(1 << 62).u(1 << 42)},
		{"chunks over the transfer limit", header(true, "d", cs, 2).
			s("a").u(MaxChunks * cs).u(MaxChunks).hashes(MaxChunks).
			s("b").u(1).u(1).hashes(1)},
		{"hashes missing", header(false, "a", cs, 1).s("a").u(3).u(1).hashes(0)},
		{"too many entries", header(true, "d", cs, MaxEntries+1)},
		{"more entries than bytes", header(true, "d", cs, 100).s("a").u(0).u(0)},
		{"duplicate paths", header(true, "d", cs, 2).s("a").u(0).u(0).s("a").u(0).u(0)},
		{"file used as folder", header(true, "d", cs, 2).s("a").u(0).u(0).s("a/b").u(0).u(0)},
		{"folder used as file", header(true, "d", cs, 3).s("a/b").u(0).u(0).s("a-c").u(0).u(0).s("a").u(0).u(0)},
		{"dot-dot path", header(true, "d", cs, 1).s("../x").u(0).u(0)},
		{"absolute path", header(true, "d", cs, 1).s("/x").u(0).u(0)},
		{"backslash path", header(true, "d", cs, 1).s(`a\b`).u(0).u(0)},
		{"unsafe component", header(true, "d", cs, 1).s("a/CON").u(0).u(0)},
		{"path too long", header(true, "d", cs, 1).s(strings.Repeat("a/", 600) + "a").u(0).u(0)},
		{"unsafe name", header(false, "CON", cs, 1).s("CON").u(0).u(0)},
		{"empty name", header(true, "", cs, 0)},
		{"name with slash", header(true, "a/b", cs, 0)},
		{"single file path differs from name", header(false, "a", cs, 1).s("b").u(0).u(0)},
		{"single file with two entries", header(false, "a", cs, 2).s("a").u(0).u(0).s("b").u(0).u(0)},
		{"single file without entry", header(false, "a", cs, 0)},
		{"trailing byte", header(false, "a", cs, 1).s("a").u(0).u(0).raw(0)},
		{"non-canonical varint", enc{1, 0}.s("a").u(cs).raw(0x81, 0x00).s("a").u(0).u(0)},
		{"varint overflow", enc{1, 0}.s("a").raw(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f)},
		{"truncated varint", enc{1, 0}.s("a").raw(0x80)},
		{"too large", make([]byte, MaxManifestBytes+1)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := UnmarshalManifest(tt.in)
			if !errors.Is(err, ErrBadManifest) {
				t.Fatalf("UnmarshalManifest = %+v, %v; want ErrBadManifest", m, err)
			}
			t.Log(err)
		})
	}
}

func TestUnmarshalManifestTruncated(t *testing.T) {
	full := header(true, "d", MinChunkSize, 2).s("a/b").u(5).u(1).hashes(1).s("c").u(0).u(0)
	if _, err := UnmarshalManifest(full); err != nil {
		t.Fatalf("valid manifest rejected: %v", err)
	}
	for n := range len(full) {
		if _, err := UnmarshalManifest(full[:n]); !errors.Is(err, ErrBadManifest) {
			t.Errorf("prefix of %d bytes: err = %v, want ErrBadManifest", n, err)
		}
	}
}

// TestUnmarshalManifestAllocation checks that declared counts are not
// trusted: a few bytes claiming the maximum must not cost megabytes.
func TestUnmarshalManifestAllocation(t *testing.T) {
	tests := []struct {
		name string
		in   []byte
	}{
		{"max chunks, no hashes", header(false, "a", MaxChunkSize, 1).s("a").u(MaxChunks * MaxChunkSize).u(MaxChunks)},
		{"max entries, no bytes", header(true, "d", MinChunkSize, MaxEntries)},
		{"long path, no bytes", header(true, "d", MinChunkSize, 1).u(MaxPathBytes)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			_, err := UnmarshalManifest(tt.in)
			runtime.ReadMemStats(&after)
			if err == nil {
				t.Fatal("accepted")
			}
			if got := after.TotalAlloc - before.TotalAlloc; got > 64<<10 {
				t.Errorf("allocated %d bytes decoding %d hostile bytes", got, len(tt.in))
			}
		})
	}
}

func TestUnmarshalManifestAccepts(t *testing.T) {
	tests := []struct {
		name string
		m    *Manifest
	}{
		{"single file", tinyManifest()},
		{"empty file", &Manifest{Name: "e", ChunkSize: MinChunkSize, Entries: []Entry{{Path: "e"}}}},
		{"empty folder", &Manifest{Name: "d", Folder: true, ChunkSize: MinChunkSize}},
		{"siblings sharing a prefix", &Manifest{Name: "d", Folder: true, ChunkSize: MaxChunkSize, Entries: []Entry{
			{Path: "a/b"}, {Path: "a-c"}, {Path: "a.d/e"}, {Path: "ab"},
		}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := UnmarshalManifest(tt.m.Marshal())
			if err != nil {
				t.Fatalf("UnmarshalManifest: %v", err)
			}
			if m.Hash() != tt.m.Hash() {
				t.Error("hash changed across the round trip")
			}
		})
	}
}
