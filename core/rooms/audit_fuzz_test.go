package rooms

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"slices"
	"testing"

	hcrypto "hallway/crypto"
	"hallway/policy"

	ic "github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"
)

// fuzzAuthors are the authors a fuzzed log's operations are signed by,
// the same in every run, so the seeds in testdata name them.
func fuzzAuthors(f *testing.F) []peer.ID {
	var out []peer.ID
	for i := range 3 {
		k, _, err := ic.GenerateEd25519Key(bytes.NewReader(bytes.Repeat([]byte{byte(i + 1)}, 64)))
		if err != nil {
			f.Fatal(err)
		}
		id, _ := peer.IDFromPrivateKey(k)
		out = append(out, id)
	}
	return out
}

// fuzzLog reads a fuzzed log: records of an author's index (one byte),
// the operation's length (uvarint) and its encoding. An operation's hash
// is that of its author, its seq (each author's count) and encoding.
func fuzzLog(b []byte, authors []peer.ID) []AuditOp {
	var ops []AuditOp
	seqs := map[peer.ID]uint64{}
	for len(b) > 1 && len(ops) < 64 {
		author := authors[int(b[0])%len(authors)]
		n, k := binary.Uvarint(b[1:])
		if k <= 0 || n > uint64(len(b)-1-k) {
			break
		}
		raw := b[1+k : 1+k+int(n)]
		b = b[1+k+int(n):]
		if len(raw) < 2 {
			continue
		}
		op, err := hcrypto.UnmarshalMemberOp(hcrypto.BodyKind(raw[1]), raw)
		if err != nil {
			continue
		}
		seqs[author]++
		seq := seqs[author]
		h := sha256.Sum256(fmt.Appendf(nil, "%s/%d/%x", author, seq, raw))
		ops = append(ops, AuditOp{Hash: h, ID: fmt.Sprintf("%x", h[:8]), Author: author.String(), Seq: seq, Op: op})
	}
	return ops
}

func FuzzAuditLog(f *testing.F) {
	authors := fuzzAuthors(f)
	seed := make([]byte, 16)
	room := hcrypto.OwnedRoomID([]byte(authors[0]), seed)
	// A seed log: Ann creates the workspace, Bob and Mal join, Ann makes
	// Bob an admin, Bob sets a policy, Mal sets one too, Ann removes Mal.
	var log []byte
	var ops []AuditOp
	add := func(who int, op hcrypto.MemberOp) {
		if op.Kind != hcrypto.BodyJoin {
			for _, o := range ops { // all it saw: every operation before it
				op.Parents = append(op.Parents, o.Hash)
			}
			slices.SortFunc(op.Parents, func(a, b hcrypto.OpHash) int { return bytes.Compare(a[:], b[:]) })
		}
		raw := op.Marshal()
		log = append(log, byte(who))
		log = binary.AppendUvarint(log, uint64(len(raw)))
		log = append(log, raw...)
		ops = fuzzLog(log, authors)
	}
	add(0, hcrypto.MemberOp{Kind: hcrypto.BodyCreate, Target: seed})
	add(1, hcrypto.MemberOp{Kind: hcrypto.BodyJoin})
	add(2, hcrypto.MemberOp{Kind: hcrypto.BodyJoin})
	add(0, hcrypto.MemberOp{Kind: hcrypto.BodyRole, Target: []byte(authors[1]), Role: hcrypto.RoleAdmin})
	add(1, hcrypto.MemberOp{Kind: hcrypto.BodyPolicy, Payload: policy.Document{Version: 1}.Marshal()})
	add(2, hcrypto.MemberOp{Kind: hcrypto.BodyPolicy, Payload: policy.Document{Version: 2}.Marshal()})
	add(0, hcrypto.MemberOp{Kind: hcrypto.BodyRemove, Target: []byte(authors[2]), Cutoff: 2})
	if a := AuditLog(room, true, ops); !a.Owned || a.Policy != 1 || a.Roles[authors[1].String()] != "admin" || len(a.Removed) != 1 {
		f.Fatalf("the seed log's audit: %+v", a)
	}
	f.Add(log)
	f.Fuzz(func(t *testing.T, b []byte) {
		ops := fuzzLog(b, authors)
		for _, workspace := range []bool{true, false} {
			a := AuditLog(room, workspace, ops)
			if !a.Owned {
				continue
			}
			owners := 0
			for p, role := range a.Roles {
				if role == "owner" {
					owners++
					if p != authors[0].String() {
						t.Fatalf("%s owns a room %s made", p, authors[0])
					}
				}
			}
			if owners != 1 {
				t.Fatalf("%d owners", owners)
			}
			if !workspace && a.Policy != 0 {
				t.Fatalf("an ordinary room kept policy %d", a.Policy)
			}
			for _, o := range ops {
				if !workspace && o.Op.Kind == hcrypto.BodyPolicy && a.Refused[o.Hash] == "" {
					t.Fatal("an ordinary room took a policy")
				}
			}
		}
	})
}
