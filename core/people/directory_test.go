package people

import (
	"context"
	"errors"
	"strings"
	"testing"

	"hallway/chat"
	hcrypto "hallway/crypto"

	"github.com/libp2p/go-libp2p/core/peer"
)

// failedDials reports one dial error per peer.
type failedDials map[peer.ID]error

func (f failedDials) LastError(id peer.ID) error { return f[id] }

func TestResolve(t *testing.T) {
	ctx := context.Background()
	store := newFakeStore()
	ann, bob1, bob2 := newID(t), newID(t), newID(t)
	store.meet(ann, "Ann", 1)
	store.meet(bob1, "Bob", 2)
	store.meet(bob2, "bob", 3)
	dir := NewDirectory(DirectoryDeps{Store: store, Links: newFakeNet(t), Problems: noProblems{}})
	print2 := hcrypto.ShortFingerprint(fingerprintOf(bob2))
	oneGroup := strings.SplitN(print2, "-", 2)[0]

	for _, tc := range []struct {
		name, ref string
		want      peer.ID
		err       error
		says      []string // in the user message
	}{
		{name: "unique name, any case", ref: " aNN ", want: ann},
		{name: "peer ID", ref: bob1.String(), want: bob1},
		{name: "name and print", ref: "Bob#" + print2, want: bob2},
		{name: "name and print with a space", ref: "bob#" + strings.ReplaceAll(print2, "-", " "), want: bob2},
		{name: "name and whole fingerprint", ref: "Bob#" + fingerprintOf(bob2), want: bob2},
		{name: "name and one group", ref: "Bob#" + oneGroup, err: chat.ErrAmbiguousPeer,
			says: []string{"at least 2", "Bob#" + hcrypto.ShortFingerprint(fingerprintOf(bob1)), "bob#" + print2, bob2.String()}},
		{name: "name and another print", ref: "Bob#" + hcrypto.ShortFingerprint(fingerprintOf(ann)), err: chat.ErrUnknownPeer},
		{name: "ambiguous", ref: "BOB", err: chat.ErrAmbiguousPeer, says: []string{bob1.String(), bob2.String(), "2 colleagues"}},
		{name: "unknown", ref: "Zed", err: chat.ErrUnknownPeer, says: []string{"no colleague called \"Zed\"; known: Ann, "}},
		{name: "empty", ref: "  ", says: []string{"name a colleague"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			id, err := dir.Resolve(ctx, tc.ref)
			if tc.err == nil && len(tc.says) == 0 {
				if err != nil || id != tc.want {
					t.Fatalf("Resolve(%q) = %v, %v; want %v", tc.ref, id, err, tc.want)
				}
				return
			}
			if err == nil {
				t.Fatalf("Resolve(%q) = %v, want an error", tc.ref, id)
			}
			if tc.err != nil && !errors.Is(err, tc.err) {
				t.Fatalf("Resolve(%q): %v, want %v", tc.ref, err, tc.err)
			}
			for _, s := range tc.says {
				if !strings.Contains(chat.UserMessage(err), s) {
					t.Errorf("message %q lacks %q", chat.UserMessage(err), s)
				}
			}
		})
	}
}

func TestResolveWithNoColleagues(t *testing.T) {
	dir := NewDirectory(DirectoryDeps{Store: newFakeStore(), Links: newFakeNet(t), Problems: noProblems{}})
	_, err := dir.Resolve(context.Background(), "Ann")
	if !errors.Is(err, chat.ErrUnknownPeer) || !strings.Contains(chat.UserMessage(err), "no colleagues known yet") {
		t.Fatalf("got %v", err)
	}
}

func TestResolveStoreFailure(t *testing.T) {
	store := newFakeStore()
	store.broken = true
	dir := NewDirectory(DirectoryDeps{Store: store, Links: newFakeNet(t), Problems: noProblems{}})
	if _, err := dir.Resolve(context.Background(), "Ann"); !errors.Is(err, errBroken) {
		t.Fatalf("want the store's error, got %v", err)
	}
}

func TestPeersOnlineFirstSharedNamesAndProblems(t *testing.T) {
	store := newFakeStore()
	net := newFakeNet(t)
	ann, bob1, bob2, newcomer := newID(t), newID(t), newID(t), newID(t)
	store.meet(ann, "Ann", 1)
	store.meet(bob1, "Bob", 2)
	store.meet(bob2, "BOB", 3)
	net.link(bob2)
	net.link(newcomer) // connected, no profile yet
	dir := NewDirectory(DirectoryDeps{Store: store, Links: net, Problems: failedDials{ann: errors.New("different workspace")}})

	got, err := dir.Peers(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var order []string
	for _, c := range got {
		order = append(order, c.PeerID)
	}
	want := []string{newcomer.String(), bob2.String(), ann.String(), bob1.String()}
	if strings.Join(order, " ") != strings.Join(want, " ") {
		t.Fatalf("order %v, want %v", order, want)
	}
	byID := map[string]chat.Colleague{}
	for _, c := range got {
		byID[c.PeerID] = c
	}
	if a := byID[ann.String()]; a.Online || a.Status != chat.StatusOffline || a.Problem != "different workspace" {
		t.Errorf("Ann: %+v", a)
	}
	if !byID[bob1.String()].NameShared || !byID[bob2.String()].NameShared || byID[ann.String()].NameShared {
		t.Errorf("shared names: %+v", got)
	}
	if c := dir.Colleague(context.Background(), bob2); !c.Online || c.Name != "BOB" || c.Fingerprint == "" {
		t.Errorf("Colleague(bob2) = %+v", c)
	}
}
