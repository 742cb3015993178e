package p2p

import (
	"bufio"
	"sync"
)

// syncBufferBytes is the buffer of a sync stream's reader (the asker's)
// and writer (the answerer's): an answer is many envelopes in a row.
const syncBufferBytes = 64 << 10

// The buffers of sync streams are reused: an office arriving together
// runs thousands of syncs a minute, and buffers of 64 KiB made for each
// were a fifth of all that its nodes allocated while forming (and so of
// the garbage collections it ran). readFrame copies what it returns, so
// nothing read keeps a buffer.
var (
	syncReaders = sync.Pool{New: func() any { return bufio.NewReaderSize(nil, syncBufferBytes) }}
	syncWriters = sync.Pool{New: func() any { return bufio.NewWriterSize(nil, syncBufferBytes) }}
)

// putSyncReader gives r back once its stream is done with, holding no
// reference to the stream.
func putSyncReader(r *bufio.Reader) {
	r.Reset(nil)
	syncReaders.Put(r)
}

// putSyncWriter gives w back once its stream is done with; what it did
// not flush is dropped.
func putSyncWriter(w *bufio.Writer) {
	w.Reset(nil)
	syncWriters.Put(w)
}
