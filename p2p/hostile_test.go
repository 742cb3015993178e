package p2p

import (
	"bufio"
	"context"
	"encoding/binary"
	"testing"
	"time"

	"hallway/chat"
)

// A peer that sends garbage gets its stream reset; the node stays up and
// serves the next honest message.
func TestHostileDMFramesResetStream(t *testing.T) {
	cases := []struct {
		name  string
		bytes []byte
	}{
		{"length 2^63", binary.AppendUvarint(nil, 1<<63)},
		{"over the frame cap", binary.AppendUvarint(nil, maxDMFrame+1)},
		{"truncated body", append(binary.AppendUvarint(nil, 50), "short"...)},
		{"not json", append([]byte{3}, "{{{"...)},
		{"oversize text", func() []byte {
			body := []byte(`{"id":"a","sent_at":1,"text":"`)
			for range chat.MaxTextBytes + 1 {
				body = append(body, 'x')
			}
			body = append(body, `"}`...)
			return append(binary.AppendUvarint(nil, uint64(len(body))), body...)
		}()},
	}
	a, _ := newTestNode(t, nil)
	b, rb := newTestNode(t, nil)
	connect(t, a, b)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			s, err := a.host.NewStream(ctx, b.ID(), ProtoDM)
			if err != nil {
				t.Fatal(err)
			}
			s.SetDeadline(time.Now().Add(5 * time.Second))
			s.Write(tc.bytes)
			s.CloseWrite()
			_, err = readFrame(bufio.NewReader(s), maxAckFrame)
			if err == nil {
				t.Fatalf("hostile frame was acknowledged")
			}
			s.Reset()
		})
	}
	rb.mu.Lock()
	stored := len(rb.dms)
	rb.mu.Unlock()
	if stored != 0 {
		t.Fatalf("%d hostile messages reached the handler", stored)
	}
	err := a.SendDMs(context.Background(), b.ID(), []DM{{ID: "ok", Text: "still here", SentAt: 1}}, func(DM) error { return nil })
	if err != nil {
		t.Fatalf("honest message after hostile frames: %v", err)
	}
}
