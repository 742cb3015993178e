package files

import (
	"encoding/binary"
	"fmt"
	"math/bits"
	"slices"
	"strings"
)

// Manifest encoding, version 1. Every integer is an unsigned varint
// (encoding/binary) in its shortest form, so each manifest has exactly one
// encoding and its hash is a stable content id:
//
//	version    1 byte, = 1
//	flags      1 byte, bit 0 = Folder, all other bits zero
//	name       uvarint length, then that many bytes of UTF-8
//	chunk size uvarint
//	entries    uvarint count, then for each entry:
//	  path     uvarint length, then that many bytes
//	  size     uvarint
//	  chunks   uvarint count, then count × 32-byte BLAKE3-256 hashes
//
// Nothing may follow the last entry. The chunk count is redundant with the
// size; it is stored anyway so a decoder can check both before trusting
// either.
const manifestVersion = 1

const flagFolder = 1

// minEntryBytes is the smallest encoded entry (1-byte path, sizes 0), used
// to reject entry counts the remaining input cannot possibly hold.
const minEntryBytes = 4

// Marshal returns the canonical encoding described above. It does not
// validate m; a manifest built by hand that breaks the rules will encode
// but not decode.
func (m *Manifest) Marshal() []byte {
	b := make([]byte, 0, m.encodedLen())
	var flags byte
	if m.Folder {
		flags |= flagFolder
	}
	b = append(b, manifestVersion, flags)
	b = binary.AppendUvarint(b, uint64(len(m.Name)))
	b = append(b, m.Name...)
	b = binary.AppendUvarint(b, uint64(m.ChunkSize))
	b = binary.AppendUvarint(b, uint64(len(m.Entries)))
	for _, e := range m.Entries {
		b = binary.AppendUvarint(b, uint64(len(e.Path)))
		b = append(b, e.Path...)
		b = binary.AppendUvarint(b, uint64(e.Size))
		b = binary.AppendUvarint(b, uint64(len(e.Chunks)))
		for _, c := range e.Chunks {
			b = append(b, c[:]...)
		}
	}
	return b
}

// encodedLen is len(m.Marshal()) without building it.
func (m *Manifest) encodedLen() int {
	n := 2 + uvarintLen(uint64(len(m.Name))) + len(m.Name) +
		uvarintLen(uint64(m.ChunkSize)) + uvarintLen(uint64(len(m.Entries)))
	for _, e := range m.Entries {
		n += uvarintLen(uint64(len(e.Path))) + len(e.Path) + uvarintLen(uint64(e.Size)) +
			uvarintLen(uint64(len(e.Chunks))) + 32*len(e.Chunks)
	}
	return n
}

func uvarintLen(v uint64) int {
	return max(1, (bits.Len64(v)+6)/7)
}

// UnmarshalManifest decodes and validates a manifest received from a peer.
// Every count is checked against the package limits and against the bytes
// actually present before anything is allocated for it. All failures wrap
// ErrBadManifest.
func UnmarshalManifest(b []byte) (*Manifest, error) {
	if len(b) > MaxManifestBytes {
		return nil, fmt.Errorf("%w: %d bytes, limit %d", ErrBadManifest, len(b), MaxManifestBytes)
	}
	d := decoder{b: b}
	if v := d.byte(); v != manifestVersion {
		return nil, d.fail("unsupported version %d", v)
	}
	flags := d.byte()
	if flags&^flagFolder != 0 {
		return nil, d.fail("unknown flags %#x", flags)
	}
	m := &Manifest{Folder: flags&flagFolder != 0}
	m.Name = d.string(MaxPathBytes)
	cs := d.uvarint()
	if d.err == nil && (cs < MinChunkSize || cs > MaxChunkSize || cs&(cs-1) != 0) {
		return nil, d.fail("chunk size %d is not a power of two in [%d, %d]", cs, MinChunkSize, MaxChunkSize)
	}
	m.ChunkSize = int64(cs)
	n := d.uvarint()
	if d.err == nil && (n > MaxEntries || n > uint64(d.left()/minEntryBytes)) {
		return nil, d.fail("%d entries (limit %d, %d bytes left)", n, MaxEntries, d.left())
	}
	if d.err != nil {
		return nil, d.err
	}
	m.Entries = make([]Entry, n)
	total := 0
	for i := range m.Entries {
		e := &m.Entries[i]
		e.Path = d.string(MaxPathBytes)
		size := d.uvarint()
		count := d.uvarint()
		if d.err != nil {
			return nil, d.err
		}
		// Bounding size first keeps it a valid int64 and ceil() exact.
		if size > MaxChunks*MaxChunkSize {
			return nil, d.fail("entry %d: size %d too large", i, size)
		}
		e.Size = int64(size)
		if want := chunksFor(e.Size, m.ChunkSize); count != uint64(want) {
			return nil, d.fail("entry %d: %d chunks for %d bytes, want %d", i, count, size, want)
		}
		if total += int(count); total > MaxChunks {
			return nil, d.fail("more than %d chunks", MaxChunks)
		}
		if count*32 > uint64(d.left()) {
			return nil, d.fail("entry %d: %d chunk hashes but only %d bytes left", i, count, d.left())
		}
		if count > 0 {
			e.Chunks = make([][32]byte, count)
			for j := range e.Chunks {
				copy(e.Chunks[j][:], d.next(32))
			}
		}
	}
	if d.left() != 0 {
		return nil, d.fail("%d trailing bytes", d.left())
	}
	if err := m.validate(); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBadManifest, err)
	}
	return m, nil
}

// validate checks the rules that do not concern the encoding itself.
func (m *Manifest) validate() error {
	if SafeName(m.Name) != m.Name {
		return fmt.Errorf("unsafe name %q", m.Name)
	}
	if !m.Folder && (len(m.Entries) != 1 || m.Entries[0].Path != m.Name) {
		return fmt.Errorf("a single-file transfer needs exactly one entry named %q", m.Name)
	}
	paths := make([]string, len(m.Entries))
	for i, e := range m.Entries {
		if err := CheckRelPath(e.Path); err != nil {
			return fmt.Errorf("entry %d: %w", i, err)
		}
		paths[i] = e.Path
	}
	return checkPathConflicts(paths)
}

// checkPathConflicts rejects duplicate paths and a file that is also used
// as a directory by another path ("a" and "a/b"). Sorting with '/' below
// every other byte places each path directly before everything beneath it,
// so comparing neighbours is enough and costs no extra memory.
func checkPathConflicts(paths []string) error {
	slices.SortFunc(paths, comparePaths)
	for i := 1; i < len(paths); i++ {
		prev, cur := paths[i-1], paths[i]
		if cur == prev {
			return fmt.Errorf("duplicate path %q", cur)
		}
		if strings.HasPrefix(cur, prev) && cur[len(prev)] == '/' {
			return fmt.Errorf("%q is a file but %q uses it as a folder", prev, cur)
		}
	}
	return nil
}

func comparePaths(a, b string) int {
	for i := range min(len(a), len(b)) {
		x, y := a[i], b[i]
		if x == y {
			continue
		}
		if x == '/' {
			return -1
		}
		if y == '/' {
			return 1
		}
		return int(x) - int(y)
	}
	return len(a) - len(b)
}

// decoder reads from b, remembering the first error so callers can check
// once after a group of reads.
type decoder struct {
	b   []byte
	off int
	err error
}

func (d *decoder) left() int { return len(d.b) - d.off }

func (d *decoder) fail(format string, args ...any) error {
	if d.err == nil {
		d.err = fmt.Errorf("%w: "+format+" (at byte %d)", append([]any{ErrBadManifest}, append(args, d.off)...)...)
	}
	return d.err
}

func (d *decoder) next(n int) []byte {
	if d.err != nil {
		return nil
	}
	if n > d.left() {
		d.fail("truncated: need %d bytes, have %d", n, d.left())
		return nil
	}
	p := d.b[d.off : d.off+n]
	d.off += n
	return p
}

func (d *decoder) byte() byte {
	p := d.next(1)
	if p == nil {
		return 0
	}
	return p[0]
}

func (d *decoder) uvarint() uint64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.b[d.off:])
	switch {
	case n == 0:
		d.fail("truncated varint")
		return 0
	case n < 0:
		d.fail("varint overflows 64 bits")
		return 0
	case n > 1 && d.b[d.off+n-1] == 0:
		// A zero final byte adds nothing: a longer-than-needed encoding
		// would give the same manifest a second hash.
		d.fail("non-canonical varint")
		return 0
	}
	d.off += n
	return v
}

func (d *decoder) string(limit int) string {
	n := d.uvarint()
	if d.err == nil && n > uint64(limit) {
		d.fail("string of %d bytes exceeds %d", n, limit)
	}
	return string(d.next(int(min(n, uint64(limit)))))
}
