package files

import (
	"context"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"lukechampine.com/blake3"
)

func BenchmarkBuildManifest(b *testing.B) {
	const size = 256 << 20
	p := filepath.Join(b.TempDir(), "big.bin")
	data := make([]byte, size)
	rand.NewChaCha8([32]byte{9}).Read(data)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		b.Fatal(err)
	}
	data = nil
	b.SetBytes(size)
	for b.Loop() {
		if _, _, err := BuildManifest(context.Background(), p, nil); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerifyChunk(b *testing.B) {
	for _, tt := range []struct {
		name string
		size int64
	}{
		{"1MiB", MinChunkSize},
		{"16MiB", MaxChunkSize},
	} {
		b.Run(tt.name, func(b *testing.B) {
			data := make([]byte, tt.size)
			rand.NewChaCha8([32]byte{10}).Read(data)
			m := &Manifest{Name: "f", ChunkSize: tt.size, Entries: []Entry{{Path: "f", Size: tt.size, Chunks: [][32]byte{blake3.Sum256(data)}}}}
			b.SetBytes(tt.size)
			for b.Loop() {
				if err := VerifyChunk(m, 0, data); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
