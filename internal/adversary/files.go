package adversary

import (
	"bufio"
	"context"
	"encoding/binary"
	"io"
	"sync/atomic"
	"time"

	"hallway/p2p"

	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
)

// FileAnswer decides the raw bytes sent back to a file request (status
// frame, manifest or chunk frames, or anything else).
type FileAnswer func(from peer.ID, req p2p.FileRequest) []byte

// ServeFiles answers file requests with whatever answer returns, and
// counts them.
func (p *Peer) ServeFiles(answer FileAnswer) *atomic.Int64 {
	var served atomic.Int64
	p.Host.SetStreamHandler(p2p.ProtoFile, func(s network.Stream) {
		defer s.Close()
		s.SetDeadline(time.Now().Add(60 * time.Second))
		r := bufio.NewReader(s)
		n, err := binary.ReadUvarint(r)
		if err != nil || n > 64<<10 {
			s.Reset()
			return
		}
		b := make([]byte, n)
		if _, err := io.ReadFull(r, b); err != nil {
			s.Reset()
			return
		}
		req, err := p2p.DecodeFileRequest(b)
		if err != nil {
			s.Reset()
			return
		}
		served.Add(1)
		s.Write(answer(s.Conn().RemotePeer(), req))
	})
	return &served
}

// FileOK is the status frame that says a file request will be served.
func FileOK() []byte { return Frame([]byte(`{"ok":true}`)) }

// OfferFile offers a file to a victim in a direct message, as a colleague
// would, with whatever name and size the test chose.
func (p *Peer) OfferFile(ctx context.Context, to peer.ID, o p2p.FileOffer) error {
	_, err := p.SendDMs(ctx, to, []p2p.DM{{ID: o.ID, Text: "sent " + o.Name, SentAt: time.Now().UnixMilli(), Kind: p2p.DMKindFile, File: &o}})
	return err
}
