package adversary

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"time"

	hcrypto "hallway/crypto"
	"hallway/files"
	"hallway/p2p"

	"github.com/libp2p/go-libp2p/core/peer"
)

// FileReply is everything a victim sent back to one file request (and
// the requester read before the stream ended).
type FileReply struct {
	OK       bool           // the status frame said it serves the request
	Refusal  string         // the status frame's error when it does not
	Manifest []byte         // for a manifest request
	Chunks   map[int][]byte // the chunks received, by index
	Ended    Outcome        // how the stream ended
}

// AskFile sends one file request to a victim and keeps every byte it
// answers, whatever it is: a requester that checks nothing, so a test
// sees exactly what the victim was willing to serve. It asks for
// content it may no longer have (an expired or withdrawn share) as
// readily as for content it has.
func (p *Peer) AskFile(ctx context.Context, to peer.ID, req p2p.FileRequest) (FileReply, error) {
	b, err := json.Marshal(req)
	if err != nil {
		return FileReply{}, err
	}
	out := p.Send(ctx, to, p2p.ProtoFile, Frame(b), 30*time.Second)
	frames, ferr := ReadFrames(bytesReader(out.Reply), 4+files.MaxChunkSize)
	r := FileReply{Ended: out, Chunks: map[int][]byte{}}
	if len(frames) == 0 {
		switch {
		case out.Reset:
			// A victim that stops in the middle resets the stream, and a
			// reset drops whatever had arrived but was not read yet.
			return r, nil
		case out.Err != nil:
			return r, out.Err
		}
		return r, fmt.Errorf("no status frame (%s, %v)", out, ferr)
	}
	var st struct {
		OK    bool   `json:"ok"`
		Error string `json:"error"`
	}
	if err := json.Unmarshal(frames[0], &st); err != nil {
		return r, fmt.Errorf("status frame %q: %w", frames[0], err)
	}
	r.OK, r.Refusal = st.OK, st.Error
	for _, f := range frames[1:] {
		switch req.Op {
		case p2p.FileOpManifest:
			r.Manifest = f
		case p2p.FileOpChunks:
			if len(f) >= 4 {
				r.Chunks[int(binary.BigEndian.Uint32(f))] = f[4:]
			}
		}
	}
	return r, nil
}

// RoomFileRequest is a request for content offered in a room, with the
// proof of the room key a member makes: an insider who holds the key.
func (p *Peer) RoomFileRequest(key hcrypto.RoomKey, room, hash string, to peer.ID, op string, chunks ...p2p.ChunkRange) p2p.FileRequest {
	proof := key.SyncProof("file/"+hash, []byte(p.ID()), []byte(to))
	return p2p.FileRequest{Hash: hash, Op: op, Room: room, Proof: proof[:], Chunks: chunks}
}

// BadChunks lists the chunks of a reply that do not match the manifest:
// bytes a victim should never have sent.
func BadChunks(m *files.Manifest, r FileReply) []int {
	var bad []int
	for i, data := range r.Chunks {
		if files.VerifyChunk(m, i, data) != nil {
			bad = append(bad, i)
		}
	}
	return bad
}
