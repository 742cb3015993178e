package p2p

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// ErrFrameTooLarge is returned for a frame whose declared length exceeds the
// cap of its protocol. The stream is then reset: the rest of it cannot be
// trusted.
var ErrFrameTooLarge = errors.New("p2p: frame too large")

// ErrBadFrame is returned for a frame that is truncated or undecodable.
var ErrBadFrame = errors.New("p2p: malformed frame")

// writeFrame writes b prefixed with its length as an unsigned varint.
func writeFrame(w io.Writer, b []byte) error {
	var hdr [binary.MaxVarintLen64]byte
	n := binary.PutUvarint(hdr[:], uint64(len(b)))
	buf := make([]byte, 0, n+len(b))
	buf = append(buf, hdr[:n]...)
	buf = append(buf, b...)
	_, err := w.Write(buf)
	return err
}

// readFrame reads one varint-length-prefixed frame of at most max bytes. The
// length is checked before anything is allocated, so a peer declaring 2^63
// bytes costs us nothing. io.EOF is returned only at a clean frame boundary.
func readFrame(r *bufio.Reader, max int) ([]byte, error) {
	n, err := binary.ReadUvarint(r)
	if err != nil {
		if errors.Is(err, io.EOF) {
			return nil, io.EOF
		}
		if errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, fmt.Errorf("%w: truncated length", ErrBadFrame)
		}
		// overflowing varints come back as a plain error
		return nil, fmt.Errorf("%w: length: %v", ErrBadFrame, err)
	}
	if n > uint64(max) {
		return nil, fmt.Errorf("%w: %d bytes declared, at most %d allowed", ErrFrameTooLarge, n, max)
	}
	b := make([]byte, n)
	if _, err := io.ReadFull(r, b); err != nil {
		return nil, fmt.Errorf("%w: truncated body (%d bytes declared): %v", ErrBadFrame, n, err)
	}
	return b, nil
}
