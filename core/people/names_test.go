package people

import (
	"context"
	"testing"

	"hallway/chat"
	"hallway/lookalike"
)

func TestNameKeyJudgesLookAlikesTheSame(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		same bool
	}{
		{a: "Ann", b: "ann", same: true},
		{a: "\u0410nn", b: "Ann", same: true}, // Cyrillic capital A
		{a: "\u0430nn", b: "ANN", same: true}, // Cyrillic small a
		{a: "\u0251lice", b: "alice", same: true},
		{a: "paypa1", b: "PayPal", same: true},
		{a: "ｂｏｂ ", b: "Bob", same: true},
		{a: "Ann  Lee", b: "ann lee", same: true},
		{a: "b\u03bfb", b: "Bob", same: true}, // Greek small omicron
		{a: "Ann", b: "Anna"},
		{a: "Zoë", b: "Zoe"},
		{a: "", b: ""},
	} {
		if got := sameName(tc.a, tc.b); got != tc.same {
			t.Errorf("sameName(%q, %q) = %v, want %v (keys %q, %q)", tc.a, tc.b, got, tc.same, lookalike.Key(tc.a), lookalike.Key(tc.b))
		}
	}
}

// A newcomer whose name is a verified colleague's written with a Cyrillic
// look-alike letter is flagged as an impersonation.
func TestNameWarningForLookAlikeOfVerifiedName(t *testing.T) {
	ctx := context.Background()
	r := newTrustRig(t)
	ann, eve := newID(t), newID(t)
	r.store.meet(ann, "Ann", 1)
	if _, err := r.book.Verify(ctx, "Ann", true); err != nil {
		t.Fatal(err)
	}
	r.store.meet(eve, "\u0410nn", 5)

	all, err := r.book.Trusts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if ta := all[ann.String()]; !ta.Verified || ta.Warning != nil {
		t.Fatalf("Ann: %+v", ta)
	}
	w := all[eve.String()].Warning
	if w == nil || w.Kind != chat.WarnImpersonation || w.Of != ann.String() {
		t.Fatalf("look-alike: %+v", all[eve.String()])
	}

	peers, err := NewDirectory(DirectoryDeps{Store: r.store, Links: r.net, Problems: noProblems{}}).Peers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range peers {
		if !c.NameShared {
			t.Errorf("%q is not flagged as sharing its name", c.Name)
		}
	}
}
