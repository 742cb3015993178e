package files

import (
	"bytes"
	"encoding/hex"
	"errors"
	"testing"

	"lukechampine.com/blake3"
)

func TestChunkSizeFor(t *testing.T) {
	tests := []struct {
		name  string
		total int64
		want  int64
	}{
		{"empty", 0, MinChunkSize},
		{"negative", -1, MinChunkSize},
		{"1 MiB", 1 << 20, MinChunkSize},
		{"1 GiB", 1 << 30, MinChunkSize},
		{"64 GiB fits exactly", 64 << 30, MinChunkSize},
		{"64 GiB plus a byte", 64<<30 + 1, 2 << 20},
		{"100 GiB", 100 << 30, 2 << 20},
		{"1 TiB", 1 << 40, 16 << 20},
		{"beyond 1 TiB", 1<<40 + 1, MaxChunkSize},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ChunkSizeFor(tt.total); got != tt.want {
				t.Errorf("ChunkSizeFor(%d) = %d, want %d", tt.total, got, tt.want)
			}
		})
	}
}

// tinyManifest is a single 3-byte file, small enough to pin byte for byte.
func tinyManifest() *Manifest {
	return &Manifest{
		Name:      "a.txt",
		ChunkSize: MinChunkSize,
		Entries:   []Entry{{Path: "a.txt", Size: 3, Chunks: [][32]byte{blake3.Sum256([]byte("abc"))}}},
	}
}

func TestManifestKnownAnswer(t *testing.T) {
	const (
		// version 1, flags 0, name "a.txt", chunk size 1<<20 as a varint,
		// one entry: path "a.txt", size 3, one chunk: BLAKE3("abc").
		wantEnc = "0100" + "05612e747874" + "808040" + "01" +
			"05612e747874" + "03" + "01" +
			"6437b3ac38465133ffb63b75273a8db548c558465d79db03fd359c6cd5bd9d85"
		wantHash = "0ef8bdbf246443b45b5e502ebe7d2868dadf48674ab9413908e4bd512377a036"
	)
	m := tinyManifest()
	enc := m.Marshal()
	if got := hex.EncodeToString(enc); got != wantEnc {
		t.Fatalf("Marshal = %s\nwant      %s", got, wantEnc)
	}
	if got := m.Hash(); got != wantHash {
		t.Errorf("Hash = %s, want %s", got, wantHash)
	}
	back, err := UnmarshalManifest(enc)
	if err != nil {
		t.Fatalf("UnmarshalManifest: %v", err)
	}
	if !bytes.Equal(back.Marshal(), enc) {
		t.Error("round trip changed the encoding")
	}
}

func TestChunkLocation(t *testing.T) {
	m := &Manifest{
		Name: "d", Folder: true, ChunkSize: MinChunkSize,
		Entries: []Entry{
			{Path: "a", Size: MinChunkSize + 5, Chunks: make([][32]byte, 2)},
			{Path: "b", Size: 0},
			{Path: "c", Size: MinChunkSize, Chunks: make([][32]byte, 1)},
		},
	}
	tests := []struct {
		name           string
		i              int
		entry          int
		offset, length int64
	}{
		{"first chunk", 0, 0, 0, MinChunkSize},
		{"short last chunk", 1, 0, MinChunkSize, 5},
		{"skips empty file", 2, 2, 0, MinChunkSize},
		{"past the end", 3, -1, 0, 0},
		{"negative", -1, -1, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, off, n := m.Chunk(tt.i)
			if e != tt.entry || off != tt.offset || n != tt.length {
				t.Errorf("Chunk(%d) = (%d, %d, %d), want (%d, %d, %d)", tt.i, e, off, n, tt.entry, tt.offset, tt.length)
			}
		})
	}
	if got := m.ChunkCount(); got != 3 {
		t.Errorf("ChunkCount = %d, want 3", got)
	}
	if got := m.TotalSize(); got != 2*MinChunkSize+5 {
		t.Errorf("TotalSize = %d", got)
	}
}

func TestVerifyChunkErrors(t *testing.T) {
	m := tinyManifest()
	tests := []struct {
		name string
		i    int
		data []byte
		want error
	}{
		{"good", 0, []byte("abc"), nil},
		{"wrong byte", 0, []byte("abd"), ErrChunkMismatch},
		{"too short", 0, []byte("ab"), ErrChunkMismatch},
		{"too long", 0, []byte("abcd"), ErrChunkMismatch},
		{"no such chunk", 1, []byte("abc"), ErrNoSuchChunk},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := VerifyChunk(m, tt.i, tt.data); !errors.Is(err, tt.want) || (tt.want == nil) != (err == nil) {
				t.Errorf("VerifyChunk = %v, want %v", err, tt.want)
			}
		})
	}
}
