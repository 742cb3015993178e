package storage

import (
	"context"
	"testing"
	"time"
)

func TestRoomCodes(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	exp := time.UnixMilli(time.Now().Add(time.Hour).UnixMilli())
	a := RoomCode{Room: "r1", Hash: [32]byte{1}, Lookup: [16]byte{1}, Issuer: "ann", IssuedHLC: 10, ExpiresAt: exp, MaxUses: 2}
	if err := s.PutRoomCode(ctx, a); err != nil {
		t.Fatal(err)
	}
	get := func(room string, lookup [16]byte, except string) (RoomCode, bool) {
		t.Helper()
		c, ok, err := s.RoomCodeByLookup(ctx, room, lookup, except)
		if err != nil {
			t.Fatal(err)
		}
		return c, ok
	}
	if c, ok := get("r1", a.Lookup, "bob"); !ok || c != a {
		t.Fatalf("code = %+v %v, want %+v", c, ok, a)
	}
	if _, ok := get("r2", a.Lookup, "bob"); ok {
		t.Fatal("a code of r1 found in r2")
	}
	// A second issue record of the same hash changes nothing.
	b := a
	b.ExpiresAt, b.MaxUses, b.Issuer = exp.Add(time.Hour), 0, "mallory"
	if err := s.PutRoomCode(ctx, b); err != nil {
		t.Fatal(err)
	}
	if c, _ := get("r1", a.Lookup, ""); c != a {
		t.Fatalf("a second issue record changed the code to %+v", c)
	}
	// Uses count distinct joiners other than the one asking.
	for _, j := range []string{"bob", "bob", "cy"} {
		if err := s.AddRoomCodeUse(ctx, "r1", a.Hash, j); err != nil {
			t.Fatal(err)
		}
	}
	if c, _ := get("r1", a.Lookup, "dee"); c.Uses != 2 {
		t.Fatalf("uses = %d, want 2", c.Uses)
	}
	if c, _ := get("r1", a.Lookup, "bob"); c.Uses != 1 {
		t.Fatalf("uses not counting the asker = %d, want 1", c.Uses)
	}
	// Revoking all codes up to a clock value revokes those issued then.
	if err := s.RevokeRoomCodes(ctx, "r1", 9); err != nil {
		t.Fatal(err)
	}
	if c, _ := get("r1", a.Lookup, ""); c.Revoked {
		t.Fatal("a code issued after a revoke-all is revoked")
	}
	if err := s.RevokeRoomCodes(ctx, "r1", 10); err != nil {
		t.Fatal(err)
	}
	if c, _ := get("r1", a.Lookup, ""); !c.Revoked {
		t.Fatal("a revoke-all missed a code")
	}
	// A revocation that arrives before the issue record holds.
	late := RoomCode{Room: "r3", Hash: [32]byte{3}, Lookup: [16]byte{3}, Issuer: "ann", IssuedHLC: 1, ExpiresAt: exp}
	if err := s.RevokeRoomCode(ctx, "r3", late.Hash); err != nil {
		t.Fatal(err)
	}
	if _, ok := get("r3", late.Lookup, ""); ok {
		t.Fatal("a revoked code with no issue record found")
	}
	if err := s.PutRoomCode(ctx, late); err != nil {
		t.Fatal(err)
	}
	if c, ok := get("r3", late.Lookup, ""); !ok || !c.Revoked {
		t.Fatalf("code revoked before it arrived = %+v %v", c, ok)
	}
}
