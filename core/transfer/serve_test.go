package transfer

import (
	"bytes"
	"context"
	"errors"
	"os"
	"testing"

	"hallway/chat"
	"hallway/files"
	"hallway/p2p"
	"hallway/storage"

	"github.com/libp2p/go-libp2p/core/peer"
)

// servedBy records sh as an offer of bob's in conv, in state.
func servedBy(t *testing.T, r *rig, sh shared, conv, to, state string) {
	t.Helper()
	if _, err := r.store.InsertTransfer(context.Background(), storage.Transfer{
		ID: sh.offer.ID, Direction: storage.TransferOut, Peer: to, Conv: conv, Name: sh.m.Name, Size: sh.offer.Size,
		Files: 1, ManifestHash: sh.offer.Hash, Manifest: sh.m.Marshal(), SourcePath: sh.path, State: state,
	}); err != nil {
		t.Fatal(err)
	}
}

func TestServerDecidesWhoMayFetch(t *testing.T) {
	roomProof := func(r *rig, from peer.ID, hash string) []byte {
		p := r.rooms.key.SyncProof(fileProofLabel(hash), []byte(from), []byte(bob))
		return p[:]
	}
	for _, tc := range []struct {
		name  string
		room  bool
		state string
		from  peer.ID
		req   func(r *rig, hash string) p2p.FileRequest
		ok    bool
	}{
		{"the colleague offered to", false, storage.TransferOffered, ann, nil, true},
		{"another colleague", false, storage.TransferOffered, carol, nil, false},
		{"a cancelled offer", false, storage.TransferCancelled, ann, nil, false},
		{"a declined offer", false, storage.TransferDeclined, ann, nil, false},
		{"a room member with proof", true, storage.TransferOffered, carol, func(r *rig, h string) p2p.FileRequest {
			return p2p.FileRequest{Hash: h, Room: r.rooms.id, Proof: roomProof(r, carol, h)}
		}, true},
		{"someone else's proof", true, storage.TransferOffered, carol, func(r *rig, h string) p2p.FileRequest {
			return p2p.FileRequest{Hash: h, Room: r.rooms.id, Proof: roomProof(r, ann, h)}
		}, false},
		{"no proof", true, storage.TransferOffered, carol, func(r *rig, h string) p2p.FileRequest {
			return p2p.FileRequest{Hash: h, Room: r.rooms.id}
		}, false},
		{"another room", true, storage.TransferOffered, carol, func(r *rig, h string) p2p.FileRequest {
			return p2p.FileRequest{Hash: h, Room: "elsewhere", Proof: roomProof(r, carol, h)}
		}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newRig(t, Config{})
			sh := share(t, "data.bin", 1<<20+7)
			conv := chat.DMConv(ann.String()).String()
			if tc.room {
				conv = chat.RoomConv(r.rooms.id).String()
			}
			servedBy(t, r, sh, conv, ann.String(), tc.state)
			req := p2p.FileRequest{Hash: sh.offer.Hash}
			if tc.req != nil {
				req = tc.req(r, sh.offer.Hash)
			}
			src, err := r.server.OpenFile(context.Background(), tc.from, req)
			if !tc.ok {
				if !errors.Is(err, errNotServable) {
					t.Fatalf("served (%v)", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer src.Close()
			want, _ := os.ReadFile(sh.path)
			buf := make([]byte, files.MaxChunkSize)
			n, err := src.ReadChunk(1, buf)
			if err != nil || src.ChunkCount() != 2 || !bytes.Equal(buf[:n], want[1<<20:]) || !bytes.Equal(src.Manifest(), sh.m.Marshal()) {
				t.Fatalf("chunk 1: %d bytes (%v)", n, err)
			}
		})
	}
}

// Unknown content is not served, whoever asks.
func TestServerRefusesUnknownContent(t *testing.T) {
	r := newRig(t, Config{})
	if _, err := r.server.OpenFile(context.Background(), ann, p2p.FileRequest{Hash: validOffer("x", 1).Hash}); !errors.Is(err, errNotServable) {
		t.Fatalf("got %v", err)
	}
}
