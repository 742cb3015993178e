package transfer

import (
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"hallway/files"
)

// fileSource reads chunks of local content, and sends only what matches
// the manifest: each chunk is hashed as it is read, and a file that
// changed since the offer stops the whole share.
type fileSource struct {
	m      *files.Manifest
	raw    []byte
	shared *files.Shared
	guard  *guard    // stops every source of the share at once
	until  time.Time // the share's end; zero: none
	now    func() time.Time
	// failed reports a read that failed for path (a manifest path, ""
	// for the whole content) and returns what the requester is told.
	failed func(path string, err error) error
	mu     sync.Mutex // guards open
	open   map[int]*os.File
}

func (f *fileSource) Manifest() []byte { return f.raw }
func (f *fileSource) ChunkCount() int  { return f.m.ChunkCount() }
func (f *fileSource) ChunkSize() int   { return int(f.m.ChunkSize) }

// ReadChunk reads chunk i into buf, checked against the manifest. A
// share that ended or was withdrawn meanwhile, even on a lane already
// open, sends nothing more.
func (f *fileSource) ReadChunk(i int, buf []byte) (int, error) {
	if err := f.guard.err(); err != nil {
		return 0, err
	}
	if !f.until.IsZero() && !f.now().Before(f.until) {
		return 0, expiredRefusal(f.until)
	}
	e, off, n := f.m.Chunk(i)
	if e < 0 {
		return 0, fmt.Errorf("chunk %d: %w", i, files.ErrNoSuchChunk)
	}
	if int64(len(buf)) < n {
		return 0, fmt.Errorf("chunk %d larger than the buffer", i)
	}
	file, err := f.file(e)
	if err != nil {
		return 0, f.failed(f.m.Entries[e].Path, err)
	}
	if _, err := file.ReadAt(buf[:n], off); err != nil {
		if errors.Is(err, io.EOF) {
			err = fmt.Errorf("read chunk %d: %w: %v", i, files.ErrChanged, err)
		}
		return 0, f.failed(f.m.Entries[e].Path, err)
	}
	if err := files.VerifyChunk(f.m, i, buf[:n]); err != nil {
		return 0, f.failed(f.m.Entries[e].Path, err)
	}
	return int(n), nil
}

func (f *fileSource) file(e int) (*os.File, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if h, ok := f.open[e]; ok {
		return h, nil
	}
	h, err := f.shared.Open(e)
	if err != nil {
		return nil, err
	}
	f.open[e] = h
	return h, nil
}

func (f *fileSource) Close() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, h := range f.open {
		h.Close()
	}
	return f.shared.Close()
}
