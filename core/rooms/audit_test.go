package rooms

import (
	"context"
	"testing"

	hcrypto "hallway/crypto"
	"hallway/policy"
)

// auditOps is the workspace room's log as n stored it, in the form an
// export gives AuditLog.
func auditOps(t *testing.T, n *testNode, room string) []AuditOp {
	t.Helper()
	rows, err := n.store.RoomOps(context.Background(), room)
	if err != nil {
		t.Fatal(err)
	}
	var ops []AuditOp
	for _, r := range rows {
		op, err := hcrypto.UnmarshalMemberOp(hcrypto.BodyKind(r.Op[1]), r.Op)
		if err != nil {
			t.Fatal(err)
		}
		ops = append(ops, AuditOp{Hash: r.Hash, ID: r.ID, Author: r.Author, Seq: r.Seq, Op: op, Name: r.Name})
	}
	return ops
}

// An audit of the log alone reaches what every member's replay did:
// the same refusals (a member's forged policy and grant, a revoked
// member's operations), roles and policy.
func TestAuditOfALogAgreesWithItsMembers(t *testing.T) {
	ctx := context.Background()
	room, nodes := workspace(t, "Ann", "Bob", "Mal", "Dan")
	ann, bob, mal, dan := nodes[0], nodes[1], nodes[2], nodes[3]
	if _, err := ann.SetPolicy(ctx, "files", "off"); err != nil {
		t.Fatal(err)
	}
	if err := ann.SetAdmin(ctx, bob.id.String(), true); err != nil {
		t.Fatal(err)
	}
	meshed(t, room, nodes...)
	forged := forgePolicy(t, mal, room, policy.Document{Version: 7}.Marshal())
	grant, err := mal.poster.postOp(ctx, mal.Joined().Get(room), hcrypto.MemberOp{Kind: hcrypto.BodyRole, Target: []byte(mal.id), Role: hcrypto.RoleAdmin})
	if err != nil {
		t.Fatal(err)
	}
	meshed(t, room, nodes...)
	if err := bob.Revoke(ctx, dan.id.String()); err != nil {
		t.Fatal(err)
	}
	meshed(t, room, ann, bob, mal)

	a := AuditLog(room, true, auditOps(t, ann, room))
	live := ann.Joined().Get(room).roster()
	switch {
	case !a.Owned:
		t.Fatal("the log's creation was not found")
	case a.Refused[forged] == "" || a.Refused[grant.Op.Hash] == "":
		t.Fatalf("the audit took a member's forged policy or grant: %v", a.Refused)
	case len(a.Refused) != len(live.refused):
		t.Fatalf("the audit refused %d operations, the member %d", len(a.Refused), len(live.refused))
	case a.Policy != 1 || a.Roles[ann.id.String()] != "owner" || a.Roles[bob.id.String()] != "admin" || a.Roles[mal.id.String()] != "member":
		t.Fatalf("the audit left policy %d and roles %v", a.Policy, a.Roles)
	case len(a.Removed) != 1 || a.Removed[0] != dan.id.String() || a.Roles[dan.id.String()] != "":
		t.Fatalf("removed %v, roles %v: want Dan revoked", a.Removed, a.Roles)
	}
	for h, why := range live.refused {
		if a.Refused[h] != why {
			t.Fatalf("the member refused an operation for %q, the audit for %q", why, a.Refused[h])
		}
	}
	// Read as an ordinary room, a workspace log's policy counts for nothing.
	if plain := AuditLog(room, false, auditOps(t, ann, room)); plain.Policy != 0 {
		t.Fatalf("an ordinary room's audit kept policy %d", plain.Policy)
	}
	// Without its creation, a log is not replayed.
	ops := auditOps(t, ann, room)
	for i, o := range ops {
		if o.Op.Kind == hcrypto.BodyCreate {
			ops = append(ops[:i], ops[i+1:]...)
			break
		}
	}
	if a := AuditLog(room, true, ops); a.Owned {
		t.Fatal("a log without its creation was audited")
	}
}
