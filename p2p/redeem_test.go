package p2p

import (
	"bytes"
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/libp2p/go-libp2p/core/peer"
)

const testRedeemRoom = "04ab3xyzkmnpqrstvw0123456w"

func TestRedeemWire(t *testing.T) {
	req := RedeemRequest{Room: testRedeemRoom, Lookup: [16]byte{1}, Proof: [32]byte{2}}
	if got, err := DecodeRedeemRequest(req.Marshal()); err != nil || got != req {
		t.Fatalf("request round trip = %+v, %v", got, err)
	}
	ok := RedeemReply{Status: RedeemOK, Room: testRedeemRoom, Name: "design", Key: [32]byte{3}}
	if got, err := DecodeRedeemReply(ok.Marshal()); err != nil || !reflect.DeepEqual(got, ok) {
		t.Fatalf("reply round trip = %+v, %v", got, err)
	}
	epochs := ok
	epochs.Epochs = []RedeemEpoch{{Epoch: 1, Key: [32]byte{4}}, {Epoch: 3, Key: [32]byte{5}}}
	if got, err := DecodeRedeemReply(epochs.Marshal()); err != nil || !reflect.DeepEqual(got, epochs) {
		t.Fatalf("reply with epoch keys round trip = %+v, %v", got, err)
	}
	backwards := ok
	backwards.Epochs = []RedeemEpoch{{Epoch: 3}, {Epoch: 1}}
	epoch0 := ok
	epoch0.Epochs = []RedeemEpoch{{Epoch: 0}}
	eb := epochs.Marshal()
	for s := RedeemNotMember; s < redeemStatuses; s++ {
		got, err := DecodeRedeemReply(RedeemReply{Status: s, Room: "x", Key: [32]byte{9}}.Marshal())
		if err != nil || !reflect.DeepEqual(got, RedeemReply{Status: s}) {
			t.Fatalf("refusal %d carries %+v, %v", s, got, err)
		}
	}
	for name, b := range map[string][]byte{
		"empty":            nil,
		"version 2":        append([]byte{2}, req.Marshal()[1:]...),
		"short":            req.Marshal()[:20],
		"long":             append(req.Marshal(), 0),
		"general-looking":  RedeemRequest{Room: "Not A Room"}.Marshal(),
		"length past end":  {1, 200, 'a'},
		"oversize room id": RedeemRequest{Room: strings.Repeat("a", 200)}.Marshal(),
	} {
		if _, err := DecodeRedeemRequest(b); err == nil {
			t.Errorf("request %s decoded", name)
		}
	}
	okb := ok.Marshal()
	for name, b := range map[string][]byte{
		"empty":          nil,
		"unknown status": {9},
		"refusal + key":  {byte(RedeemExpired), 1},
		"key short":      okb[:len(okb)-1],
		"key long":       append(append([]byte(nil), okb...), 0),
		"bad room":       RedeemReply{Status: RedeemOK, Room: "A B"}.Marshal(),
		"epochs short":   eb[:len(eb)-1],
		"epochs long":    append(append([]byte(nil), eb...), 0),
		"no epochs":      append(append([]byte(nil), okb...), 0),
		"epochs back":    backwards.Marshal(),
		"epoch zero":     epoch0.Marshal(),
	} {
		if _, err := DecodeRedeemReply(b); err == nil {
			t.Errorf("reply %s decoded", name)
		}
	}
}

type redeemFunc func(ctx context.Context, from peer.ID, req RedeemRequest) RedeemReply

func (f redeemFunc) ServeRedeem(ctx context.Context, from peer.ID, req RedeemRequest) RedeemReply {
	return f(ctx, from, req)
}

// A redemption round trip between two real hosts: the member sees who
// asks (the authenticated peer) and what.
func TestRedeemRoundTrip(t *testing.T) {
	a, _ := newTestNode(t, nil)
	b, _ := newTestNode(t, nil)
	connect(t, a, b)
	want := RedeemReply{Status: RedeemOK, Room: testRedeemRoom, Name: "design", Key: [32]byte{7}}
	req := RedeemRequest{Room: testRedeemRoom, Lookup: [16]byte{4}, Proof: [32]byte{5}}
	b.SetRedeemServer(redeemFunc(func(_ context.Context, from peer.ID, got RedeemRequest) RedeemReply {
		if from != a.ID() || got != req {
			return RedeemReply{Status: RedeemUnknown}
		}
		return want
	}))
	got, err := a.Redeem(context.Background(), b.ID(), req)
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("Redeem = %+v, %v", got, err)
	}
}

func FuzzDecodeRedeem(f *testing.F) {
	f.Add(RedeemRequest{Room: testRedeemRoom}.Marshal())
	f.Add(RedeemReply{Status: RedeemOK, Room: testRedeemRoom, Name: "x"}.Marshal())
	f.Add(RedeemReply{Status: RedeemOK, Room: testRedeemRoom, Name: "x", Epochs: []RedeemEpoch{{Epoch: 2}}}.Marshal())
	f.Add([]byte{byte(RedeemUsedUp)})
	f.Add([]byte{1, 255})
	f.Fuzz(func(t *testing.T, b []byte) {
		if r, err := DecodeRedeemRequest(b); err == nil && !bytes.Equal(r.Marshal(), b) {
			t.Fatalf("request %x re-encodes as %x", b, r.Marshal())
		}
		if r, err := DecodeRedeemReply(b); err == nil && !bytes.Equal(r.Marshal(), b) {
			t.Fatalf("reply %x re-encodes as %x", b, r.Marshal())
		}
	})
}
