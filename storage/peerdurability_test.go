package storage

import (
	"fmt"
	"testing"
)

// A colleague's profile is committed Replicated: it says it again on
// every connection, so the fsync of a durable commit bought nothing. The
// writer's own trigger reads synchronous inside each upsert's commit.
func TestUpsertPeerIsReplicated(t *testing.T) {
	ctx := t.Context()
	s := newTestStore(t)
	for _, q := range []string{
		`CREATE TEMP TABLE seen_sync (level INTEGER)`,
		`CREATE TEMP TRIGGER peers_sync AFTER INSERT ON peers BEGIN
			INSERT INTO seen_sync SELECT synchronous FROM pragma_synchronous;
		END`,
	} {
		if _, err := s.writer.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	if err := s.UpsertPeer(ctx, Peer{ID: "12D3KooWBob", Name: "Bob"}); err != nil {
		t.Fatal(err)
	}
	var during int
	if err := s.writer.QueryRowContext(ctx, `SELECT level FROM seen_sync`).Scan(&during); err != nil || during != 1 {
		t.Fatalf("synchronous inside the upsert = %d (%v), want 1 (NORMAL)", during, err)
	}
	var after int
	if err := s.writer.QueryRowContext(ctx, "PRAGMA synchronous").Scan(&after); err != nil || after != 2 {
		t.Fatalf("after it synchronous = %d (%v), want 2 (FULL)", after, err)
	}
	if p, ok, err := s.Peer(ctx, "12D3KooWBob"); err != nil || !ok || p.Name != "Bob" {
		t.Fatalf("Peer = %+v, %v, %v", p, ok, err)
	}
}

// What recording a colleague met for the first time costs, as each of an
// arriving office is: committed Replicated, beside the same committed
// Durable (synchronous=FULL), as it was before.
func BenchmarkUpsertPeer(b *testing.B) {
	for _, d := range []struct {
		name string
		d    Durability
	}{{"replicated", Replicated}, {"durable (baseline)", Durable}} {
		b.Run(d.name, func(b *testing.B) {
			ctx := b.Context()
			s := newTestStore(b)
			i := 0
			for b.Loop() {
				i++
				p := Peer{ID: fmt.Sprintf("12D3KooWColleague%06d", i), Name: "Colleague", Status: "available",
					Addrs: []string{"/ip4/192.168.1.20/tcp/4001", "/ip6/fd00::20/tcp/4001"}}
				if err := s.upsertPeer(ctx, p, d.d); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
