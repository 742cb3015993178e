package chaos

import (
	"context"
	"net"
	"testing"
	"time"

	hcrypto "hallway/crypto"
	"hallway/internal/adversary"
	"hallway/internal/fleet"
)

// S5: a node without the workspace key, or with another one, reaches
// nothing: every libp2p dial fails, a raw connection learns nothing, and
// the colleagues never list it.
func TestS5NoWorkspaceKey(t *testing.T) {
	r := scenario(t, "S5", "a node without the workspace key", "cannot connect, sees nothing")
	attempts := pick(5, 50)
	l := lab(t, 3)
	ds := []*fleet.Daemon{fleet.New(t, l.Host(1), "Ann"), fleet.New(t, l.Host(2), "Bob")}
	privateOffice(t, ds)
	fleet.StartAll(t, ds)
	fleet.WaitMesh(t, ds, 30*time.Second)
	other, err := hcrypto.NewWorkspaceKey()
	if err != nil {
		t.Fatal(err)
	}
	strangers := map[string]*adversary.Peer{
		"no key":    hostile(t, l.Host(3), nil),
		"wrong key": hostile(t, l.Host(3), other.PSK()),
	}
	addrs := []string{ds[0].Self().Addrs[0], ds[1].Self().Addrs[0]}
	failed := 0
	for kind, adv := range strangers {
		for range attempts {
			for _, a := range addrs {
				ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
				_, err := adv.Connect(ctx, a)
				cancel()
				if err == nil {
					t.Fatalf("a stranger with %s connected to %s", kind, a)
				}
				failed++
			}
		}
		if n := len(adv.Host.Network().Peers()); n != 0 {
			t.Fatalf("a stranger with %s holds %d connections", kind, n)
		}
	}
	// A raw TCP connection speaking libp2p without the key gets nothing
	// readable back: the private network layer expects its nonce first.
	readable := 0
	err = l.Host(3).Do(func() error {
		c, err := net.DialTimeout("tcp", tcpAddr(t, addrs[0]), 3*time.Second)
		if err != nil {
			return err
		}
		defer c.Close()
		c.Write([]byte("\x13/multistream/1.0.0\n\x1d/hallway/profile/1.0.0\n"))
		c.SetReadDeadline(time.Now().Add(2 * time.Second))
		buf := make([]byte, 4096)
		n, _ := c.Read(buf)
		if containsAny(buf[:n], "multistream", "hallway", "Ann", "Bob") {
			readable = n
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if readable > 0 {
		t.Fatal("a raw connection without the key read protocol names or profile data")
	}
	for _, d := range ds {
		for _, c := range d.Peers() {
			for _, adv := range strangers {
				if c.PeerID == adv.ID().String() {
					t.Fatalf("%s lists the stranger %s", d.Name, c.PeerID)
				}
			}
		}
	}
	var strangerIDs []string
	for _, adv := range strangers {
		strangerIDs = append(strangerIDs, adv.ID().String())
	}
	for _, s := range checkStores(t, ds, strangerIDs...) {
		for id, msgs := range s.DMs {
			if len(msgs) > 0 {
				t.Fatalf("%s holds %d messages with the stranger %s", s.Name, len(msgs), id)
			}
		}
	}
	r.measure(t, "%d libp2p dials without the key or with another key: all failed, 0 connections, never listed; a raw TCP connection read nothing readable", failed)
}
