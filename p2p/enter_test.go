package p2p

import (
	"bytes"
	"context"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"
)

func TestEnterWire(t *testing.T) {
	req := EnterRequest{Room: testRedeemRoom, Proof: []byte{1, 2, 3}}
	if got, err := DecodeEnterRequest(req.Marshal()); err != nil || !reflect.DeepEqual(got, req) {
		t.Fatalf("request round trip = %+v, %v", got, err)
	}
	ok := EnterReply{Status: EnterOK, Epochs: []RedeemEpoch{{Epoch: 1, Key: [32]byte{4}}, {Epoch: 3, Key: [32]byte{5}}},
		Heads: [][32]byte{{6}, {7}}}
	if got, err := DecodeEnterReply(ok.Marshal()); err != nil || !reflect.DeepEqual(got, ok) {
		t.Fatalf("reply round trip = %+v, %v", got, err)
	}
	okb := ok.Marshal()
	for name, b := range map[string][]byte{
		"empty":           nil,
		"refused first":   {byte(EnterRefused)},
		"unknown status":  {enterStatuses},
		"refusal + bytes": {byte(EnterExpired), 0},
		"short":           okb[:len(okb)-1],
		"long":            append(slices.Clone(okb), 0),
		"epochs back":     EnterReply{Status: EnterOK, Epochs: []RedeemEpoch{{Epoch: 2}, {Epoch: 1}}}.Marshal(),
		"epoch zero":      EnterReply{Status: EnterOK, Epochs: []RedeemEpoch{{Epoch: 0}}}.Marshal(),
		"too many heads":  EnterReply{Status: EnterOK, Heads: make([][32]byte, maxEnterHeads+1)}.Marshal(),
	} {
		if _, err := DecodeEnterReply(b); err == nil {
			t.Errorf("reply %s decoded", name)
		}
	}
	for name, b := range map[string][]byte{
		"empty":     nil,
		"version 2": append([]byte{2}, req.Marshal()[1:]...),
		"no proof":  EnterRequest{Room: testRedeemRoom}.Marshal(),
		"long":      append(req.Marshal(), 0),
		"bad room":  EnterRequest{Room: "A B", Proof: []byte{1}}.Marshal(),
	} {
		if _, err := DecodeEnterRequest(b); err == nil {
			t.Errorf("request %s decoded", name)
		}
	}
}

type enterFuncs struct {
	enter func(from peer.ID, req EnterRequest) EnterReply
	entry func(from peer.ID, env []byte) (EnterStatus, string)
}

func (f enterFuncs) ServeEnter(_ context.Context, from peer.ID, req EnterRequest) EnterReply {
	return f.enter(from, req)
}

func (f enterFuncs) ServeEntry(_ context.Context, from peer.ID, env []byte) (EnterStatus, string) {
	return f.entry(from, env)
}

// A newcomer the member's node treats as an entrant reaches the enter
// protocol alone: its DMs and syncs are reset, it is never reported
// connected, and it is not among the peers the node syncs with.
func TestEntrantReachesTheEnterProtocolAlone(t *testing.T) {
	var entrants blockSet
	member, rec := newTestNodeWith(t, Config{Admission: entrants.as(Entrant)})
	newcomer, _ := newTestNode(t, nil)
	entrants.set(newcomer.ID(), true)
	var joined []byte
	member.SetEnterServer(enterFuncs{
		enter: func(from peer.ID, req EnterRequest) EnterReply {
			if from != newcomer.ID() || !bytes.Equal(req.Proof, []byte("proof")) {
				return EnterReply{Status: EnterUnknown}
			}
			return EnterReply{Status: EnterOK, Heads: [][32]byte{{9}}}
		},
		entry: func(from peer.ID, env []byte) (EnterStatus, string) {
			joined = env
			return EnterRefused, "used up"
		},
	})
	connect(t, newcomer, member)

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := newcomer.SendDMs(ctx, member.ID(), []DM{{ID: "x", Text: "hi", SentAt: 1}}, func(DM) error { return nil }); err == nil {
		t.Fatal("an entrant's DM went through")
	}
	err := newcomer.Sync(ctx, member.ID(), func([]byte) SyncRequest { return SyncRequest{} }, func([]byte) error { return nil })
	if err == nil {
		t.Fatal("an entrant's sync was answered")
	}
	st, reason, err := newcomer.Enter(ctx, member.ID(), EnterRequest{Room: testRedeemRoom, Proof: []byte("proof")},
		func(rep EnterReply) ([]byte, error) {
			if len(rep.Heads) != 1 || rep.Heads[0] != [32]byte{9} {
				t.Errorf("heads %v", rep.Heads)
			}
			return []byte("join"), nil
		})
	if err != nil || st != EnterRefused || reason != "used up" || string(joined) != "join" {
		t.Fatalf("Enter = %v %q %v (member got %q)", st, reason, err, joined)
	}
	st, _, err = newcomer.Enter(ctx, member.ID(), EnterRequest{Room: testRedeemRoom, Proof: []byte("forged")},
		func(EnterReply) ([]byte, error) { t.Fatal("asked to join after a refusal"); return nil, nil })
	if err != nil || st != EnterUnknown {
		t.Fatalf("Enter with a forged proof = %v %v", st, err)
	}
	if slices.Contains(member.ConnectedPeers(), newcomer.ID()) || member.IsConnected(newcomer.ID()) {
		t.Fatal("the entrant is listed among connected peers")
	}
	rec.mu.Lock()
	online := rec.online[newcomer.ID()]
	rec.mu.Unlock()
	if online {
		t.Fatal("the entrant was reported connected")
	}
	// Once no longer an entrant, a new connection is a colleague's.
	entrants.set(newcomer.ID(), false)
	newcomer.Disconnect(member.ID())
	connect(t, newcomer, member)
	rec.waitFor(t, "the colleague reported connected", func() bool { return rec.online[newcomer.ID()] })
}

func FuzzDecodeEnter(f *testing.F) {
	f.Add(EnterRequest{Room: testRedeemRoom, Proof: []byte{1}}.Marshal())
	f.Add(EnterReply{Status: EnterOK, Epochs: []RedeemEpoch{{Epoch: 2}}, Heads: [][32]byte{{1}}}.Marshal())
	f.Add(EnterReply{Status: EnterOK, Heads: [][32]byte{{1}}, Opening: []byte("envelope")}.Marshal())
	f.Add([]byte{byte(EnterUsedUp)})
	f.Add(encodeVerdict(EnterRefused, "why"))
	f.Fuzz(func(t *testing.T, b []byte) {
		if r, err := DecodeEnterRequest(b); err == nil && !bytes.Equal(r.Marshal(), b) {
			t.Fatalf("request %x re-encodes as %x", b, r.Marshal())
		}
		if r, err := DecodeEnterReply(b); err == nil && !bytes.Equal(r.Marshal(), b) {
			t.Fatalf("reply %x re-encodes as %x", b, r.Marshal())
		}
		if st, reason, err := decodeVerdict(b); err == nil && len(reason) > 255 {
			t.Fatalf("verdict %v with a reason of %d bytes", st, len(reason))
		}
	})
}
