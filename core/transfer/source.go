package transfer

import (
	"fmt"
	"os"
	"path/filepath"
	"sync"

	"hallway/files"
)

// fileSource reads chunks of local content.
type fileSource struct {
	m     *files.Manifest
	raw   []byte
	base  string            // the file itself, or the folder holding the entries
	local map[string]string // a shared folder: manifest path → file on disk
	mu    sync.Mutex        // guards open
	open  map[int]*os.File
}

func (f *fileSource) Manifest() []byte { return f.raw }
func (f *fileSource) ChunkCount() int  { return f.m.ChunkCount() }
func (f *fileSource) ChunkSize() int   { return int(f.m.ChunkSize) }

func (f *fileSource) ReadChunk(i int, buf []byte) (int, error) {
	e, off, n := f.m.Chunk(i)
	if int64(len(buf)) < n {
		return 0, fmt.Errorf("chunk %d larger than the buffer", i)
	}
	file, err := f.file(e)
	if err != nil {
		return 0, err
	}
	if _, err := file.ReadAt(buf[:n], off); err != nil {
		return 0, fmt.Errorf("read chunk %d: %w", i, err)
	}
	return int(n), nil
}

func (f *fileSource) file(e int) (*os.File, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if h, ok := f.open[e]; ok {
		return h, nil
	}
	p := f.base
	if f.m.Folder {
		p = filepath.Join(f.base, filepath.FromSlash(f.m.Entries[e].Path))
		if local, ok := f.local[f.m.Entries[e].Path]; ok {
			p = local
		}
	}
	h, err := os.Open(p)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", p, err)
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
	return nil
}
