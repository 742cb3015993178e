package records

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"hallway/archive"
	"hallway/chat"
	hcrypto "hallway/crypto"
	"hallway/storage"

	"github.com/libp2p/go-libp2p/core/peer"
)

// dmContentOf is what the author of a plain text DM signed.
func dmContentOf(m storage.Message, author, recipient peer.ID) (*hcrypto.DMContent, error) {
	if m.Kind != "" {
		return nil, errors.New("no attachment in these tests")
	}
	return &hcrypto.DMContent{ID: m.ID, Author: []byte(author), Recipient: []byte(recipient),
		SentAt: m.SentAt.UnixMilli(), Text: m.Text}, nil
}

// The export carries each DM's proof as its author signed it and is
// signed itself with the Keeper's identity; a message nobody signed is
// shown unsigned.
func TestExportProvesSignedDMs(t *testing.T) {
	w := newWorld(t)
	bobKey, bob := newKey(t)
	w.people.names = map[peer.ID]string{bob: "Bob"}
	w.store.peers = []storage.Peer{{ID: bob.String(), Name: "Bob"}}
	at := time.UnixMilli(1_700_000_000_000)
	dm := chat.DMConv(bob.String()).String()
	signed := storage.Message{ID: "m1", Conv: dm, Author: bob.String(), Text: "signed by Bob", SentAt: at}
	sig, err := hcrypto.SignDM(bobKey, &hcrypto.DMContent{ID: "m1", Author: []byte(bob), Recipient: []byte(w.self),
		SentAt: at.UnixMilli(), Text: "signed by Bob"})
	if err != nil {
		t.Fatal(err)
	}
	signed.Sig = string(sig)
	unsigned := storage.Message{ID: "m2", Conv: dm, Author: w.self.String(), Text: "from an old version", SentAt: at.Add(time.Minute)}
	w.store.rows = []storage.ExportRow{{Message: signed}, {Message: unsigned}}

	for _, format := range []string{"", "HTML"} {
		var out bytes.Buffer
		sum, err := w.k.Export(t.Context(), ExportOptions{Format: format, In: "Bob"}, &out)
		if err != nil {
			t.Fatalf("%q: %v", format, err)
		}
		if sum.Messages != 2 || sum.Signed != 1 || sum.Unsigned != 1 {
			t.Errorf("%q: summary %+v", format, sum)
		}
		r := archive.Verify(out.Bytes())
		if !r.OK() || r.Verified != 1 || r.Unsigned != 1 || r.Signer.PeerID != w.self.String() || r.Signer.Name != "Ann" {
			t.Errorf("%q: verified %+v", format, r)
		}
		if format == "HTML" && !strings.Contains(out.String(), "<html") {
			t.Errorf("not a page: %.80q", out.String())
		}
	}
}

func TestExportRefuses(t *testing.T) {
	w := newWorld(t)
	now := time.Now()
	var ue *chat.UserError
	for name, opt := range map[string]ExportOptions{
		"an unknown format":      {Format: "pdf"},
		"a period ending before": {Since: now, Until: now.Add(-time.Hour)},
		"an unknown room":        {In: "#nowhere"},
	} {
		if _, err := w.k.Export(t.Context(), opt, &bytes.Buffer{}); !errors.As(err, &ue) {
			t.Errorf("%s: %v, want a user error", name, err)
		}
	}
	broken := errors.New("disk on fire")
	w.store.partsErr = broken
	var out bytes.Buffer
	if _, err := w.k.Export(t.Context(), ExportOptions{}, &out); !errors.Is(err, broken) || out.Len() != 0 {
		t.Errorf("a failing store: %v, %d bytes written", err, out.Len())
	}
}

// A room message stored at a clock other than its author's (it claimed a
// date a year ahead, and was placed at its arrival) is exported with the
// clock its author signed, so that its proof holds.
func TestExportProvesARoomMessageStoredAtItsArrival(t *testing.T) {
	w := newWorld(t)
	bobKey, bob := newKey(t)
	key, err := hcrypto.NewRoomKey()
	if err != nil {
		t.Fatal(err)
	}
	w.store.rooms[0].Key = key
	claimed := time.Now().AddDate(1, 0, 0)
	body := hcrypto.RoomBody{Kind: hcrypto.BodyText, Name: "Bob", SentAt: claimed.UnixMilli(), Text: "from next year"}
	env, err := hcrypto.SealEnvelope(hcrypto.RoomKey(key), 0, bobKey, "r1", []byte(bob), 1, uint64(claimed.UnixMilli())<<16, body.Marshal())
	if err != nil {
		t.Fatal(err)
	}
	arrived := uint64(time.Now().UnixMilli()) << 16
	m := storage.Message{ID: env.ID(), Conv: chat.RoomConv("r1").String(), Author: bob.String(), Text: body.Text,
		SentAt: time.UnixMilli(body.SentAt), ReceivedAt: time.Now(), Kind: storage.KindText, HLC: arrived, AuthorSeq: 1,
		Meta: storage.RoomMeta("Bob")}
	w.store.rows = []storage.ExportRow{{Message: m, Envelope: env.Marshal()}}
	var out bytes.Buffer
	if _, err := w.k.Export(t.Context(), ExportOptions{In: "#project"}, &out); err != nil {
		t.Fatal(err)
	}
	if r := archive.Verify(out.Bytes()); !r.OK() || r.Verified != 1 {
		t.Fatalf("verified %+v", r)
	}
}
