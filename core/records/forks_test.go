package records

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"hallway/archive"
	hcrypto "hallway/crypto"
	"hallway/storage"
)

// The export carries a room's fork evidence, both envelopes, and an
// offline verifier proves it from the author's peer ID alone; evidence
// changed after the fact is not proven.
func TestExportCarriesForkEvidence(t *testing.T) {
	w := newWorld(t)
	malKey, mal := newKey(t)
	key, err := hcrypto.NewRoomKey()
	if err != nil {
		t.Fatal(err)
	}
	w.store.rooms[0].Key = key
	seal := func(text string) []byte {
		body := hcrypto.RoomBody{Kind: hcrypto.BodyText, Name: "Mallory", SentAt: time.Now().UnixMilli(), Text: text}
		env, err := hcrypto.SealEnvelope(hcrypto.RoomKey(key), 0, malKey, "r1", []byte(mal), 3, 1<<16, body.Marshal())
		if err != nil {
			t.Fatal(err)
		}
		return env.Marshal()
	}
	a, b := seal("yes"), seal("no")
	w.store.forks = []storage.RoomFork{{Room: "r1", Author: mal.String(), Seq: 3, Held: a, Other: b}}
	var out bytes.Buffer
	if _, err := w.k.Export(t.Context(), ExportOptions{In: "#project"}, &out); err != nil {
		t.Fatal(err)
	}
	r := archive.Verify(out.Bytes())
	if !r.OK() || len(r.Forks) != 1 || !r.Forks[0].Proven || r.Forks[0].Author != mal.String() || r.Forks[0].Seq != 3 {
		t.Fatalf("verified %+v, want one proven fork of Mallory at 3", r)
	}

	// The same envelope twice is no evidence.
	var doc archive.Document
	var body archive.Body
	if err := json.Unmarshal(out.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(doc.Body, &body); err != nil {
		t.Fatal(err)
	}
	f := body.Rooms[0].Forks[0]
	if err := archive.CheckFork("r1", archive.Fork{Author: f.Author, Seq: f.Seq, Envelopes: []string{f.Envelopes[0], f.Envelopes[0]}}); err == nil {
		t.Fatal("one envelope twice proven a fork")
	}
}

// A broken chain exported proves offline too: the export carries the
// message key of the post that names another predecessor, and only that
// post's; the same pair with an intact link is not proven.
func TestExportCarriesChainBreakEvidence(t *testing.T) {
	w := newWorld(t)
	malKey, mal := newKey(t)
	key, err := hcrypto.NewRoomKey()
	if err != nil {
		t.Fatal(err)
	}
	w.store.rooms[0].Key = key
	seal := func(seq uint64, text string, prev []byte) []byte {
		body := hcrypto.RoomBody{Kind: hcrypto.BodyText, Name: "Mallory", SentAt: time.Now().UnixMilli(), Text: text,
			Chained: true, Prev: hcrypto.ChainHash(prev)}
		env, err := hcrypto.SealEnvelope(hcrypto.RoomKey(key), 0, malKey, "r1", []byte(mal), seq, 1<<16+seq, body.Marshal())
		if err != nil {
			t.Fatal(err)
		}
		return env.Marshal()
	}
	first, hidden := seal(1, "on", nil), seal(1, "off", nil)
	second := seal(2, "as agreed", hidden)
	w.store.forks = []storage.RoomFork{{Room: "r1", Author: mal.String(), Seq: 2, Held: first, Other: second}}
	var out bytes.Buffer
	if _, err := w.k.Export(t.Context(), ExportOptions{In: "#project"}, &out); err != nil {
		t.Fatal(err)
	}
	r := archive.Verify(out.Bytes())
	if !r.OK() || len(r.Forks) != 1 || !r.Forks[0].Proven || r.Forks[0].Seq != 2 {
		t.Fatalf("verified %+v, want one proven chain break of Mallory at 2", r)
	}
	var doc archive.Document
	var body archive.Body
	if err := json.Unmarshal(out.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(doc.Body, &body); err != nil {
		t.Fatal(err)
	}
	f := body.Rooms[0].Forks[0]
	intact := seal(2, "as agreed", first)
	f.Envelopes[1] = base64.StdEncoding.EncodeToString(intact)
	env, _ := hcrypto.UnmarshalEnvelope(intact)
	mk, err := env.MessageKey(hcrypto.RoomKey(key))
	if err != nil {
		t.Fatal(err)
	}
	f.MessageKey = base64.StdEncoding.EncodeToString(mk[:])
	if err := archive.CheckFork("r1", f); err == nil || !strings.Contains(err.Error(), "chain holds") {
		t.Fatal("an intact chain proven a fork")
	}
}
