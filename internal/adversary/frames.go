package adversary

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/core/protocol"
)

// Frame is b with Hallway's (and gossipsub's) length prefix: an unsigned
// varint, then the bytes.
func Frame(b []byte) []byte {
	return append(binary.AppendUvarint(nil, uint64(len(b))), b...)
}

// Declare is a frame header that declares n bytes, followed by body,
// whatever its real length: a lie when they differ.
func Declare(n uint64, body []byte) []byte {
	return append(binary.AppendUvarint(nil, n), body...)
}

// OverlongVarint is a length prefix of 11 continuation bytes: no 64-bit
// value, the wire form of a "negative" or impossible length.
func OverlongVarint() []byte {
	return []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}
}

// MinusOne is -1 as a 64-bit two's complement uvarint (2^64-1).
func MinusOne() []byte { return binary.AppendUvarint(nil, ^uint64(0)) }

// Outcome is how a victim answered one stream of hostile bytes.
type Outcome struct {
	Reply []byte // everything read back before the stream ended
	Reset bool   // the victim reset the stream
	EOF   bool   // the victim closed its side cleanly
	Err   error  // any other ending (deadline, refused protocol)
}

func (o Outcome) String() string {
	switch {
	case o.Reset:
		return fmt.Sprintf("reset after %d bytes", len(o.Reply))
	case o.EOF:
		return fmt.Sprintf("closed after %d bytes", len(o.Reply))
	}
	return fmt.Sprintf("%v after %d bytes", o.Err, len(o.Reply))
}

// Send opens a stream of proto to a victim, writes payload, closes its
// write side and reads whatever comes back until the stream ends or the
// timeout passes.
func (p *Peer) Send(ctx context.Context, to peer.ID, proto string, payload []byte, timeout time.Duration) Outcome {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	s, err := p.Host.NewStream(ctx, to, protocol.ID(proto))
	if err != nil {
		return Outcome{Err: err}
	}
	defer s.Reset()
	s.SetDeadline(time.Now().Add(timeout))
	if _, err := s.Write(payload); err != nil {
		return classify(nil, err)
	}
	s.CloseWrite()
	reply, err := io.ReadAll(io.LimitReader(s, 8<<20))
	if err == nil {
		return Outcome{Reply: reply, EOF: true}
	}
	return classify(reply, err)
}

func classify(reply []byte, err error) Outcome {
	if errors.Is(err, network.ErrReset) {
		return Outcome{Reply: reply, Reset: true}
	}
	return Outcome{Reply: reply, Err: err}
}

// ReadFrames reads frames of at most max bytes from r until EOF.
func ReadFrames(r io.Reader, max int) ([][]byte, error) {
	br := bufio.NewReader(r)
	var out [][]byte
	for {
		n, err := binary.ReadUvarint(br)
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		if n > uint64(max) {
			return out, fmt.Errorf("frame of %d bytes", n)
		}
		b := make([]byte, n)
		if _, err := io.ReadFull(br, b); err != nil {
			return out, err
		}
		out = append(out, b)
	}
}

func bytesReader(b []byte) io.Reader { return bytes.NewReader(b) }
