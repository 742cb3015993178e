package discovery

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"testing/synctest"
	"time"

	"github.com/multiformats/go-multiaddr"
)

func TestSplitP2PAddr(t *testing.T) {
	tests := []struct {
		name      string
		addr      string
		wantID    string
		wantAddr  string
		wantNoID  bool
		wantError bool
	}{
		{name: "ip4", addr: "/ip4/10.0.0.2/tcp/4001/p2p/" + idA, wantID: idA, wantAddr: "/ip4/10.0.0.2/tcp/4001"},
		{name: "dns", addr: "/dns4/desk.lan/tcp/4001/p2p/" + idB, wantID: idB, wantAddr: "/dns4/desk.lan/tcp/4001"},
		{name: "no p2p", addr: "/ip4/10.0.0.2/tcp/4001", wantNoID: true, wantError: true},
		{name: "p2p only", addr: "/p2p/" + idA, wantError: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id, transport, err := SplitP2PAddr(multiaddr.StringCast(tt.addr))
			if (err != nil) != tt.wantError {
				t.Fatalf("SplitP2PAddr error = %v, want error %v", err, tt.wantError)
			}
			if tt.wantNoID != errors.Is(err, ErrNoPeerID) {
				t.Errorf("error %v: wraps ErrNoPeerID = %v, want %v", err, errors.Is(err, ErrNoPeerID), tt.wantNoID)
			}
			if err == nil && (id.String() != tt.wantID || transport.String() != tt.wantAddr) {
				t.Fatalf("SplitP2PAddr = %s, %s; want %s, %s", id, transport, tt.wantID, tt.wantAddr)
			}
		})
	}
	if _, _, err := SplitP2PAddr(nil); err == nil {
		t.Error("SplitP2PAddr(nil) succeeded")
	}
}

func TestNewStaticRejectsAddressWithoutPeer(t *testing.T) {
	_, err := NewStatic([]multiaddr.Multiaddr{multiaddr.StringCast("/ip4/10.0.0.2/tcp/4001")}, newSink(), nil)
	if !errors.Is(err, ErrNoPeerID) {
		t.Fatalf("NewStatic = %v, want ErrNoPeerID", err)
	}
	if _, err := NewStatic(nil, nil, nil); err == nil {
		t.Fatal("NewStatic with a nil sink succeeded")
	}
}

// timedSink hands every sighting to the test with the (fake) time it came.
type timedSink struct {
	epoch time.Time
	ch    chan string
}

func (s *timedSink) PeerSeen(ctx context.Context, sg Sighting) {
	line := fmt.Sprintf("%v %s %s %v", time.Since(s.epoch), sg.Via, sg.ID.String()[len(sg.ID.String())-4:], sg.Addrs)
	select {
	case s.ch <- line:
	case <-ctx.Done():
	}
}

func TestStaticSchedule(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		sink := &timedSink{epoch: time.Now(), ch: make(chan string)}
		a, b := idA[len(idA)-4:], idB[len(idB)-4:]
		s, err := NewStatic([]multiaddr.Multiaddr{
			multiaddr.StringCast("/ip4/10.0.0.1/tcp/1/p2p/" + idA),
			multiaddr.StringCast("/ip4/10.0.0.9/tcp/9/p2p/" + idA),
			multiaddr.StringCast("/ip4/10.0.0.1/tcp/1/p2p/" + idA), // repeated: ignored
		}, sink, nil)
		if err != nil {
			t.Fatal(err)
		}
		finished := make(chan error, 1)
		go func() { finished <- s.Run(ctx) }()

		next := func() string {
			select {
			case line := <-sink.ch:
				return line
			case <-time.After(10 * time.Minute):
				return "nothing"
			}
		}
		var got []string
		for range 3 {
			got = append(got, next())
		}
		// Adding a colleague reports only that one, at once, and restarts
		// the fast schedule for everyone.
		if err := s.Add(multiaddr.StringCast("/ip4/10.0.0.2/tcp/2/p2p/" + idB)); err != nil {
			t.Fatal(err)
		}
		for range 3 {
			got = append(got, next())
		}
		cancel()
		if err := <-finished; err != nil {
			t.Fatalf("Run = %v", err)
		}
		want := []string{
			"0s static " + a + " [/ip4/10.0.0.1/tcp/1 /ip4/10.0.0.9/tcp/9]",
			"2s static " + a + " [/ip4/10.0.0.1/tcp/1 /ip4/10.0.0.9/tcp/9]",
			"6s static " + a + " [/ip4/10.0.0.1/tcp/1 /ip4/10.0.0.9/tcp/9]",
			"6s static " + b + " [/ip4/10.0.0.2/tcp/2]",
			"8s static " + a + " [/ip4/10.0.0.1/tcp/1 /ip4/10.0.0.9/tcp/9]",
			"8s static " + b + " [/ip4/10.0.0.2/tcp/2]",
		}
		if !slices.Equal(got, want) {
			t.Fatalf("sightings:\n%q\nwant:\n%q", got, want)
		}
	})
}
