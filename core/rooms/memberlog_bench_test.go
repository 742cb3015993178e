package rooms

import (
	"crypto/rand"
	"testing"
	"time"

	hcrypto "hallway/crypto"

	ic "github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"
)

// benchRoom is a 50-member room with a 200-operation membership log, as
// signed envelopes, and as many plain posts to compare with.
type benchRoom struct {
	room  string
	key   hcrypto.RoomKey
	ops   [][]byte
	posts [][]byte
}

func newBenchRoom(b *testing.B) *benchRoom {
	b.Helper()
	keys := make([]ic.PrivKey, 50)
	ids := make([]peer.ID, 50)
	for i := range keys {
		k, _, err := ic.GenerateEd25519Key(rand.Reader)
		if err != nil {
			b.Fatal(err)
		}
		keys[i], ids[i] = k, mustID(b, k)
	}
	room, seed, err := hcrypto.NewOwnedRoomID([]byte(ids[0]))
	if err != nil {
		b.Fatal(err)
	}
	key, err := hcrypto.NewRoomKey()
	if err != nil {
		b.Fatal(err)
	}
	r := &benchRoom{room: room, key: key}
	seqs := map[int]uint64{}
	var prev []hcrypto.OpHash
	seal := func(actor int, body hcrypto.RoomBody) []byte {
		seqs[actor]++
		body.Name, body.SentAt = "member", time.Now().UnixMilli()
		env, err := hcrypto.SealEnvelope(key, 0, keys[actor], room, []byte(ids[actor]), seqs[actor], uint64(len(r.ops)+len(r.posts)+1), body.Marshal())
		if err != nil {
			b.Fatal(err)
		}
		return env.Marshal()
	}
	op := func(actor int, o hcrypto.MemberOp) {
		if o.Kind != hcrypto.BodyCreate {
			o.Parents = prev
		}
		raw := seal(actor, hcrypto.RoomBody{Kind: o.Kind, Text: string(o.Marshal())})
		prev = []hcrypto.OpHash{hcrypto.HashOp(raw)}
		r.ops = append(r.ops, raw)
	}
	target := func(i int) []byte { return []byte(ids[i]) }
	op(0, hcrypto.MemberOp{Kind: hcrypto.BodyCreate, Target: seed})
	for i := 1; i < 50; i++ {
		op(0, hcrypto.MemberOp{Kind: hcrypto.BodyAdd, Target: target(i)})
		op(i, hcrypto.MemberOp{Kind: hcrypto.BodyJoin})
	}
	for i := 1; i <= 20; i++ {
		op(0, hcrypto.MemberOp{Kind: hcrypto.BodyRole, Target: target(i), Role: hcrypto.RoleAdmin})
	}
	for i := 11; i <= 30; i++ {
		op(0, hcrypto.MemberOp{Kind: hcrypto.BodyRole, Target: target(i), Role: hcrypto.RoleMember})
	}
	for i := 30; i < 50; i++ {
		op(1+i%10, hcrypto.MemberOp{Kind: hcrypto.BodyRemove, Target: target(i), Cutoff: seqs[i]})
	}
	for i := 30; i < 40; i++ {
		op(0, hcrypto.MemberOp{Kind: hcrypto.BodyAdd, Target: target(i)})
	}
	for i := 30; i < 40; i++ {
		op(i, hcrypto.MemberOp{Kind: hcrypto.BodyJoin})
	}
	for len(r.ops) < 200 {
		op(0, hcrypto.MemberOp{Kind: hcrypto.BodyAdd})
	}
	for len(r.posts) < len(r.ops) {
		r.posts = append(r.posts, seal(len(r.posts)%30, hcrypto.RoomBody{Kind: hcrypto.BodyText, Text: "hello, room"}))
	}
	return r
}

func mustID(b *testing.B, k ic.PrivKey) peer.ID {
	id, err := peer.IDFromPrivateKey(k)
	if err != nil {
		b.Fatal(err)
	}
	return id
}

// open verifies, opens and decodes one envelope of the room.
func (r *benchRoom) open(b *testing.B, raw []byte) (*hcrypto.Envelope, peer.ID, hcrypto.RoomBody) {
	env, err := hcrypto.UnmarshalEnvelope(raw)
	if err != nil {
		b.Fatal(err)
	}
	author, err := peer.IDFromBytes(env.Author)
	if err != nil {
		b.Fatal(err)
	}
	pub, err := author.ExtractPublicKey()
	if err != nil {
		b.Fatal(err)
	}
	if err := env.Verify(pub); err != nil {
		b.Fatal(err)
	}
	plain, err := env.Open(r.key)
	if err != nil {
		b.Fatal(err)
	}
	body, err := hcrypto.UnmarshalRoomBody(plain)
	if err != nil {
		b.Fatal(err)
	}
	return env, author, body
}

// BenchmarkMembershipLog verifies and replays the membership log of a
// 50-member room with 200 operations: what a member does with a room's
// whole log (each operation's envelope verified and opened once, the
// replay on every change).
func BenchmarkMembershipLog(b *testing.B) {
	r := newBenchRoom(b)
	b.ReportAllocs()
	var members int
	for b.Loop() {
		ops := make([]logOp, 0, len(r.ops))
		for _, raw := range r.ops {
			env, author, body := r.open(b, raw)
			o, err := hcrypto.UnmarshalMemberOp(body.Kind, []byte(body.Text))
			if err != nil {
				b.Fatal(err)
			}
			ops = append(ops, logOp{hash: hcrypto.HashOp(raw), id: env.ID(), author: author.String(), seq: env.Seq, op: o})
		}
		members = len(replay(r.room, genesis{}, ops).roles)
	}
	if members != 40 {
		b.Fatalf("%d members after the log, want 40", members)
	}
	b.ReportMetric(float64(len(r.ops)*b.N)/b.Elapsed().Seconds(), "ops/s")
}

// BenchmarkMembershipReplay is the replay alone, as each new operation
// triggers it.
func BenchmarkMembershipReplay(b *testing.B) {
	r := newBenchRoom(b)
	ops := make([]logOp, 0, len(r.ops))
	for _, raw := range r.ops {
		env, author, body := r.open(b, raw)
		o, _ := hcrypto.UnmarshalMemberOp(body.Kind, []byte(body.Text))
		ops = append(ops, logOp{hash: hcrypto.HashOp(raw), id: env.ID(), author: author.String(), seq: env.Seq, op: o})
	}
	b.ReportAllocs()
	for b.Loop() {
		replay(r.room, genesis{}, ops)
	}
	b.ReportMetric(float64(len(ops)*b.N)/b.Elapsed().Seconds(), "ops/s")
}

// BenchmarkPlainEnvelopes verifies and opens as many plain posts of the
// same room: the baseline for the two above.
func BenchmarkPlainEnvelopes(b *testing.B) {
	r := newBenchRoom(b)
	b.ReportAllocs()
	for b.Loop() {
		for _, raw := range r.posts {
			r.open(b, raw)
		}
	}
	b.ReportMetric(float64(len(r.posts)*b.N)/b.Elapsed().Seconds(), "envelopes/s")
}
