package files

import (
	"encoding/hex"
	"errors"
	"fmt"

	"lukechampine.com/blake3"
)

// Limits a manifest must respect. They bound what a receiver allocates
// for a peer's manifest and what a sender is willing to offer.
const (
	MinChunkSize     = 1 << 20  // 1 MiB
	MaxChunkSize     = 16 << 20 // 16 MiB
	MaxChunks        = 1 << 16  // per transfer; the chunk size grows with the total size to stay under
	MaxEntries       = 10000    // files in a folder transfer
	MaxManifestBytes = 4 << 20  // encoded size
	MaxPathBytes     = 1024     // a relative path inside a folder transfer
)

var (
	// ErrBadManifest means an encoded manifest is malformed or breaks a
	// rule; the transfer must be refused.
	ErrBadManifest = errors.New("invalid manifest")
	// ErrTooLarge means a transfer exceeds one of the package limits
	// (chunks, entries, path length or encoded manifest size).
	ErrTooLarge = errors.New("transfer exceeds manifest limits")
	// ErrChunkMismatch means received chunk data does not match the
	// manifest, by length or by hash.
	ErrChunkMismatch = errors.New("chunk does not match manifest")
	// ErrNoSuchChunk means a chunk index is outside the manifest.
	ErrNoSuchChunk = errors.New("no such chunk")
)

// Entry is one regular file of a transfer.
type Entry struct {
	// Path is relative and '/'-separated; for a single-file transfer it is
	// the file's base name, equal to Manifest.Name. In a folder transfer it
	// is relative to the folder and does not include the folder's name.
	Path string
	Size int64
	// Chunks holds the BLAKE3-256 of each chunk of this file. The last
	// chunk may be short; an empty file has no chunks.
	Chunks [][32]byte
}

// Manifest describes one transfer: a single file or a folder of files.
type Manifest struct {
	Name      string // what the user sees: the file's or folder's base name
	Folder    bool
	ChunkSize int64
	Entries   []Entry
}

// ChunkSizeFor returns the smallest power of two, at least MinChunkSize,
// that splits total bytes into no more than MaxChunks chunks. Beyond
// MaxChunks*MaxChunkSize it returns MaxChunkSize, and such a transfer
// cannot be described.
func ChunkSizeFor(total int64) int64 {
	cs := int64(MinChunkSize)
	for cs < MaxChunkSize && chunksFor(total, cs) > MaxChunks {
		cs <<= 1
	}
	return cs
}

// chunksFor is ceil(size/cs) without the overflow of (size+cs-1)/cs.
func chunksFor(size, cs int64) int64 {
	if size <= 0 {
		return 0
	}
	n := size / cs
	if size%cs != 0 {
		n++
	}
	return n
}

// TotalSize is the sum of all entry sizes.
func (m *Manifest) TotalSize() int64 {
	var t int64
	for _, e := range m.Entries {
		t += e.Size
	}
	return t
}

// ChunkCount is the number of chunks over all entries.
func (m *Manifest) ChunkCount() int {
	n := 0
	for _, e := range m.Entries {
		n += len(e.Chunks)
	}
	return n
}

// Chunk locates chunk i, counted over all entries in order, within its
// entry. For an index outside the manifest it returns entry -1.
func (m *Manifest) Chunk(i int) (entry int, offset int64, length int64) {
	ei, j := m.locate(i)
	if ei < 0 {
		return -1, 0, 0
	}
	offset = int64(j) * m.ChunkSize
	return ei, offset, min(m.ChunkSize, m.Entries[ei].Size-offset)
}

// locate maps a global chunk index to (entry, index within the entry).
// A linear walk is fine: it skips whole entries, and MaxEntries is small.
func (m *Manifest) locate(i int) (entry, j int) {
	if i < 0 {
		return -1, 0
	}
	for ei, e := range m.Entries {
		if i < len(e.Chunks) {
			return ei, i
		}
		i -= len(e.Chunks)
	}
	return -1, 0
}

// VerifyChunk checks data against chunk i of m. It returns an error
// wrapping ErrChunkMismatch if the length or hash differs, and
// ErrNoSuchChunk if i is out of range.
func VerifyChunk(m *Manifest, i int, data []byte) error {
	ei, j := m.locate(i)
	if ei < 0 {
		return fmt.Errorf("verify chunk %d of %d: %w", i, m.ChunkCount(), ErrNoSuchChunk)
	}
	e := &m.Entries[ei]
	if want := min(m.ChunkSize, e.Size-int64(j)*m.ChunkSize); int64(len(data)) != want {
		return fmt.Errorf("verify chunk %d of %s: got %d bytes, want %d: %w", i, e.Path, len(data), want, ErrChunkMismatch)
	}
	if blake3.Sum256(data) != e.Chunks[j] {
		return fmt.Errorf("verify chunk %d of %s: hash differs: %w", i, e.Path, ErrChunkMismatch)
	}
	return nil
}

// Hash is the transfer's content id carried in offers: 64 lowercase hex
// digits of the BLAKE3-256 of Marshal().
func (m *Manifest) Hash() string {
	sum := blake3.Sum256(m.Marshal())
	return hex.EncodeToString(sum[:])
}
