package netlab_test

import (
	"errors"
	"net"
	"net/netip"
	"testing"

	"hallway/internal/netlab"
)

func TestDoEntersNamespace(t *testing.T) {
	lab := netlab.New(t, 2)
	h := lab.Host(2)
	errFn := errors.New("from fn")

	tests := []struct {
		name    string
		fn      func() error
		wantErr error
		panics  bool
	}{
		{
			name: "sees the host's interface",
			fn: func() error {
				ifi, err := net.InterfaceByName(netlab.Link)
				if err != nil {
					return err
				}
				addrs, err := ifi.Addrs()
				if err != nil {
					return err
				}
				for _, a := range addrs {
					if p, err := netip.ParsePrefix(a.String()); err == nil && p.Addr() == h.IP {
						return nil
					}
				}
				return errors.New("eth0 lacks the host address")
			},
		},
		{name: "returns fn's error", fn: func() error { return errFn }, wantErr: errFn},
		{name: "re-raises a panic", fn: func() error { panic("boom") }, panics: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				if p := recover(); (p != nil) != tt.panics {
					t.Fatalf("panic = %v, want panic %v", p, tt.panics)
				}
			}()
			if err := h.Do(tt.fn); !errors.Is(err, tt.wantErr) {
				t.Fatalf("Do = %v, want %v", err, tt.wantErr)
			}
		})
	}

	// The caller's namespace never changed: the root has no lab address.
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range addrs {
		if p, err := netip.ParsePrefix(a.String()); err == nil && lab.Subnet.Contains(p.Addr()) {
			t.Fatalf("root namespace has lab address %v", a)
		}
	}
}
