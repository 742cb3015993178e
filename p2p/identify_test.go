package p2p

import (
	"bytes"
	"context"
	"errors"
	"testing"

	ma "github.com/multiformats/go-multiaddr"
)

func TestIdentifyNamesWhoAnswers(t *testing.T) {
	key := bytes.Repeat([]byte{7}, 32)
	a, _ := newTestNode(t, key)
	b, _ := newTestNode(t, key)
	other, _ := newTestNode(t, bytes.Repeat([]byte{8}, 32))
	ctx := context.Background()

	got, err := a.Identify(ctx, b.host.Addrs()[0])
	if err != nil || got != b.ID() {
		t.Fatalf("identify b: %v, %v; want %s", got, err, b.ID())
	}
	if a.IsConnected(b.ID()) || b.IsConnected(a.ID()) {
		t.Fatal("identify left a connection behind")
	}
	if _, err := a.Identify(ctx, a.host.Addrs()[0]); !errors.Is(err, ErrSelf) {
		t.Fatalf("identify self: %v, want ErrSelf", err)
	}
	if _, err := a.Identify(ctx, other.host.Addrs()[0]); !errors.Is(err, ErrDifferentWorkspace) {
		t.Fatalf("identify another workspace: %v, want ErrDifferentWorkspace", err)
	}
	public := ma.StringCast("/ip4/8.8.8.8/tcp/4001")
	if _, err := a.Identify(ctx, public); !errors.Is(err, ErrNotLAN) {
		t.Fatalf("identify a public address: %v, want ErrNotLAN", err)
	}
	named := b.Addrs()[0]
	if _, err := a.Identify(ctx, named); err == nil {
		t.Fatal("identify took an address that names its peer")
	}
}
