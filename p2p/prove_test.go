package p2p

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p/core/network"
)

func TestProveRequestWire(t *testing.T) {
	req := ProveRequest{Challenge: [ProveChallengeBytes]byte{7}, Topic: strings.Repeat("a", 40)}
	if got, err := DecodeProveRequest(req.Marshal()); err != nil || got != req {
		t.Fatalf("round trip = %+v, %v", got, err)
	}
	for name, b := range map[string][]byte{
		"empty":        nil,
		"version 2":    append([]byte{2}, req.Marshal()[1:]...),
		"no topic":     req.Marshal()[:1+ProveChallengeBytes],
		"topic of 129": ProveRequest{Topic: strings.Repeat("a", 129)}.Marshal(),
	} {
		if _, err := DecodeProveRequest(b); err == nil {
			t.Errorf("request %s decoded", name)
		}
	}
}

func FuzzDecodeProveRequest(f *testing.F) {
	f.Add(ProveRequest{Topic: "abc"}.Marshal())
	f.Add([]byte{1})
	f.Add(bytes.Repeat([]byte{1}, maxProveRequest+1))
	f.Fuzz(func(t *testing.T, b []byte) {
		if r, err := DecodeProveRequest(b); err == nil && !bytes.Equal(r.Marshal(), b) {
			t.Fatalf("request %x re-encodes as %x", b, r.Marshal())
		}
	})
}

// askProve sends one raw request frame to n's prove protocol and returns
// the proof, or the error (a reset for anything we do not prove).
func askProve(t *testing.T, from, n *Node, frame []byte) ([]byte, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	s, err := from.host.NewStream(ctx, n.ID(), ProtoProve)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	s.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := s.Write(frame); err != nil {
		return nil, err
	}
	s.CloseWrite()
	b, err := io.ReadAll(io.LimitReader(s, 64))
	if err != nil {
		return nil, err
	}
	return readFrame(bufio.NewReader(bytes.NewReader(b)), 64)
}

// A proof is given only for a topic followed with a key: an open topic,
// an unknown one and a malformed request get a reset stream.
func TestProveAnswersOnlyKeyedTopics(t *testing.T) {
	ann, _ := newTestNode(t, nil)
	mal, _ := newTestNode(t, nil)
	connect(t, mal, ann)
	joinWithKey(t, ann, "keyed", testKey("k"))
	joinWithKey(t, ann, "open", nil)
	frame := func(r ProveRequest) []byte {
		var b bytes.Buffer
		writeFrame(&b, r.Marshal())
		return b.Bytes()
	}
	ch := [ProveChallengeBytes]byte{1, 2, 3}
	proof, err := askProve(t, mal, ann, frame(ProveRequest{Challenge: ch, Topic: "keyed"}))
	if err != nil || !testKey("k").Check(ann.ID(), mal.ID(), ch[:], proof) {
		t.Fatalf("proof for the keyed topic: %x, %v", proof, err)
	}
	for name, f := range map[string][]byte{
		"open topic":    frame(ProveRequest{Challenge: ch, Topic: "open"}),
		"unknown topic": frame(ProveRequest{Challenge: ch, Topic: "elsewhere"}),
		"bad version":   {3, 9, 9, 9},
		"2^63 bytes":    {0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01},
	} {
		if got, err := askProve(t, mal, ann, f); !errors.Is(err, network.ErrReset) {
			t.Errorf("%s: %x, %v, want a reset", name, got, err)
		}
	}
}
