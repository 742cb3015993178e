package adversary

import (
	"encoding/binary"
	"sync"
	"sync/atomic"

	"hallway/files"
	"hallway/p2p"

	"github.com/libp2p/go-libp2p/core/peer"
	"lukechampine.com/blake3"
)

// Content is a transfer the adversary offers and serves: a manifest made
// with the product's own encoder around whatever names and sizes a test
// chose, and the bytes behind it.
type Content struct {
	Manifest *files.Manifest
	Raw      []byte
	// ChunkRequests counts the requests for chunks of the content.
	ChunkRequests atomic.Int64

	mu   sync.Mutex // guards data
	data [][]byte   // per entry
}

// ContentEntry is one file of a Content: its path as the manifest says it
// and its bytes.
type ContentEntry struct {
	Path string
	Data []byte
}

// NewContent builds a manifest for entries with 1 MiB chunks. It does not
// validate names: the point is to send what a victim must refuse or clean.
func NewContent(name string, folder bool, entries ...ContentEntry) *Content {
	m := &files.Manifest{Name: name, Folder: folder, ChunkSize: files.MinChunkSize}
	c := &Content{Manifest: m}
	for _, e := range entries {
		fe := files.Entry{Path: e.Path, Size: int64(len(e.Data))}
		for off := 0; off < len(e.Data); off += files.MinChunkSize {
			fe.Chunks = append(fe.Chunks, blake3.Sum256(e.Data[off:min(len(e.Data), off+files.MinChunkSize)]))
		}
		m.Entries = append(m.Entries, fe)
		c.data = append(c.data, e.Data)
	}
	c.Raw = m.Marshal()
	return c
}

// Declared is a Content whose manifest declares size bytes in one file
// without any data behind it: chunk hashes of nothing.
func Declared(name string, size int64) *Content {
	cs := files.ChunkSizeFor(size)
	m := &files.Manifest{Name: name, ChunkSize: cs}
	e := files.Entry{Path: name, Size: size}
	for off := int64(0); off < size; off += cs {
		e.Chunks = append(e.Chunks, [32]byte{})
	}
	m.Entries = []files.Entry{e}
	return &Content{Manifest: m, Raw: m.Marshal(), data: [][]byte{nil}}
}

// Hash is the content's id, as an offer carries it.
func (c *Content) Hash() string { return c.Manifest.Hash() }

// Offer is an offer of the content under its manifest name.
func (c *Content) Offer(id string) p2p.FileOffer {
	return p2p.FileOffer{ID: id, Name: c.Manifest.Name, Size: c.Manifest.TotalSize(), Files: len(c.Manifest.Entries), Folder: c.Manifest.Folder, Hash: c.Hash()}
}

// OfferLying is an offer naming the content's hash but describing it
// otherwise (lie changes the name, size, file count or kind): what the
// receiver sees and judges is not what its manifest holds.
func (c *Content) OfferLying(id string, lie func(*p2p.FileOffer)) p2p.FileOffer {
	o := c.Offer(id)
	lie(&o)
	return o
}

// Alter replaces the bytes of entry e, keeping the manifest: a sharer
// whose file changed after the offer, serving what it has now.
func (c *Content) Alter(e int, data []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.data[e] = data
}

func (c *Content) entry(e int) []byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.data[e]
}

// ServeContent answers file requests for cs as a Hallway would; requests
// for anything else are refused. It returns the counter of requests.
func (p *Peer) ServeContent(cs ...*Content) *sync.Map {
	byHash := map[string]*Content{}
	for _, c := range cs {
		byHash[c.Hash()] = c
	}
	var asked sync.Map // hash → true once requested
	p.ServeFiles(func(_ peer.ID, req p2p.FileRequest) []byte {
		c := byHash[req.Hash]
		if c == nil {
			return Frame([]byte(`{"error":"not here"}`))
		}
		asked.Store(req.Hash, true)
		out := FileOK()
		switch req.Op {
		case p2p.FileOpManifest:
			out = append(out, Frame(c.Raw)...)
		case p2p.FileOpChunks:
			c.ChunkRequests.Add(1)
			for _, r := range req.Chunks {
				for i := r.From; i < r.To && i < c.Manifest.ChunkCount(); i++ {
					e, off, n := c.Manifest.Chunk(i)
					var body []byte
					if d := c.entry(e); int64(len(d)) >= off+n {
						body = d[off : off+n]
					} else {
						body = make([]byte, n)
					}
					frame := binary.BigEndian.AppendUint32(nil, uint32(i))
					out = append(out, Frame(append(frame, body...))...)
				}
			}
		}
		return out
	})
	return &asked
}
