package records

import (
	"bytes"
	"encoding/json"
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
