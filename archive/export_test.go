package archive

import (
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	hcrypto "hallway/crypto"

	ic "github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"
)

// person is a test identity.
type person struct {
	priv ic.PrivKey
	id   peer.ID
	name string
}

func newPerson(t testing.TB, seed byte, name string) person {
	t.Helper()
	s := make([]byte, ed25519.SeedSize)
	for i := range s {
		s[i] = seed + byte(i)
	}
	priv, err := ic.UnmarshalEd25519PrivateKey(ed25519.NewKeyFromSeed(s))
	if err != nil {
		t.Fatal(err)
	}
	id, err := peer.IDFromPrivateKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	return person{priv: priv, id: id, name: name}
}

func (p person) author(t testing.TB) Author {
	t.Helper()
	pub, err := ic.MarshalPublicKey(p.priv.GetPublic())
	if err != nil {
		t.Fatal(err)
	}
	return Author{PeerID: p.id.String(), Name: p.name, Fingerprint: hcrypto.Fingerprint(p.priv.GetPublic()),
		PublicKey: base64.StdEncoding.EncodeToString(pub)}
}

// signer adapts a person to Signer.
type signer struct{ person }

func (s signer) PeerID() string { return s.id.String() }
func (s signer) PublicKey() []byte {
	b, _ := ic.MarshalPublicKey(s.priv.GetPublic())
	return b
}
func (s signer) Sign(data []byte) ([]byte, error) { return s.priv.Sign(data) }

var t0 = time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)

func dmMessage(t testing.TB, from, to person, id, text string, at time.Time, attach func(*Message, *hcrypto.DMContent)) Message {
	t.Helper()
	m := Message{ID: id, Conversation: to.id.String(), ConversationID: to.id.String(), ConversationName: to.name,
		From: from.id.String(), FromName: from.name, To: to.id.String(), Time: FormatTime(at),
		ReceivedAt: FormatTime(at.Add(time.Second)), Kind: "text", Text: text, State: "delivered"}
	c := &hcrypto.DMContent{ID: id, Author: []byte(from.id), Recipient: []byte(to.id), SentAt: at.UnixMilli(), Text: text}
	if attach != nil {
		attach(&m, c)
	}
	sig, err := hcrypto.SignDM(from.priv, c)
	if err != nil {
		t.Fatal(err)
	}
	m.Proof = Proof{Type: ProofDM, Signature: base64.StdEncoding.EncodeToString(sig)}
	return m
}

func roomMessage(t testing.TB, from person, key hcrypto.RoomKey, room, roomName string, seq uint64, body hcrypto.RoomBody) Message {
	t.Helper()
	env, err := hcrypto.SealEnvelope(key, 0, from.priv, room, []byte(from.id), seq, uint64(body.SentAt)<<16, body.Marshal())
	if err != nil {
		t.Fatal(err)
	}
	mk, err := env.MessageKey(key)
	if err != nil {
		t.Fatal(err)
	}
	m := Message{ID: env.ID(), Conversation: "#" + roomName, ConversationID: room, ConversationName: roomName, Room: true,
		From: from.id.String(), FromName: body.Name, Time: FormatTime(time.UnixMilli(body.SentAt)),
		ReceivedAt: FormatTime(time.UnixMilli(body.SentAt + 5)), Kind: roomKind(body.Kind), Text: body.Text, State: "received",
		HLC: strconv.FormatUint(env.HLC, 10), AuthorSeq: strconv.FormatUint(env.Seq, 10),
		Proof: Proof{Type: ProofRoom, Envelope: base64.StdEncoding.EncodeToString(env.Marshal()), MessageKey: base64.StdEncoding.EncodeToString(mk[:])}}
	if body.Kind == hcrypto.BodyFile {
		var o Offer
		if err := json.Unmarshal([]byte(body.Text), &o); err != nil {
			t.Fatal(err)
		}
		m.File = &o
	}
	return m
}

// testExport writes an export by Ann holding DMs with Bob (signed, with a
// file, an invitation and an old unsigned one) and a room with text, a
// join and a file.
func testExport(t testing.TB) ([]byte, []Message) {
	t.Helper()
	ann, bob := newPerson(t, 1, "Ann"), newPerson(t, 2, "Bob <b>")
	var key hcrypto.RoomKey
	copy(key[:], bytes.Repeat([]byte{7}, 32))
	room := "proj-room-1"
	roomKey := hcrypto.RoomKeyHash(key[:])
	msgs := []Message{
		dmMessage(t, bob, ann, "dm1", "Lunch at noon? Café «Nord», 会議室 <script>alert(1)</script>", t0, nil),
		dmMessage(t, ann, bob, "dm2", "sent plan.pdf (2.0 KiB)", t0.Add(time.Minute), func(m *Message, c *hcrypto.DMContent) {
			m.Kind, c.Kind = "file", "file"
			m.File = &Offer{ID: "offer1", Name: "plan.pdf", Size: 2048, Files: 1, Hash: strings.Repeat("ab", 32)}
			c.File = &hcrypto.DMFile{ID: "offer1", Name: "plan.pdf", Size: 2048, Files: 1, Hash: strings.Repeat("ab", 32)}
		}),
		dmMessage(t, ann, bob, "dm3", "invited you to #project", t0.Add(2*time.Minute), func(m *Message, c *hcrypto.DMContent) {
			m.Kind, c.Kind = "invite", "invite"
			m.Invite = &Invite{Room: room, Name: "project", KeySHA256: hex.EncodeToString(roomKey[:])}
			c.Invite = &hcrypto.DMInvite{Room: room, Name: "project", KeyHash: roomKey}
		}),
		{ID: "old1", Conversation: bob.id.String(), ConversationID: bob.id.String(), ConversationName: bob.name,
			From: bob.id.String(), FromName: bob.name, To: ann.id.String(), Time: FormatTime(t0.Add(-time.Hour)),
			ReceivedAt: FormatTime(t0.Add(-time.Hour)), Kind: "text", Text: "from before signatures", State: "received",
			Proof: Proof{Type: ProofNone}},
	}
	at := t0.Add(time.Hour).UnixMilli()
	msgs = append(msgs,
		roomMessage(t, ann, key, room, "project", 1, hcrypto.RoomBody{Kind: hcrypto.BodyJoin, Name: "Ann", SentAt: at}),
		roomMessage(t, bob, key, room, "project", 1, hcrypto.RoomBody{Kind: hcrypto.BodyText, Name: bob.name, SentAt: at + 1000, Text: "Kick-off at 10\nbring ideas"}),
		roomMessage(t, ann, key, room, "project", 2, hcrypto.RoomBody{Kind: hcrypto.BodyFile, Name: "Ann", SentAt: at + 2000,
			Text: `{"id":"offer2","name":"floor & plan.png","size":12,"files":1,"hash":"` + strings.Repeat("cd", 32) + `"}`}),
	)
	head := Body{
		ExportedAt: FormatTime(t0.Add(2 * time.Hour)), ExportedBy: ann.author(t),
		Authors: []Author{ann.author(t), bob.author(t)},
		Rooms:   []Room{{ID: room, Name: "project", Members: []string{ann.id.String(), bob.id.String()}}},
		Files: []File{{ID: "offer1", Direction: "out", Peer: bob.id.String(), Conversation: bob.id.String(), Name: "plan.pdf",
			Size: 2048, Files: 1, Hash: strings.Repeat("ab", 32), State: "done", CreatedAt: FormatTime(t0), UpdatedAt: FormatTime(t0)}},
	}
	var buf bytes.Buffer
	w, err := NewWriter(&buf, head)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range msgs {
		if err := w.Message(m); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(signer{ann}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes(), msgs
}

func TestExportVerifies(t *testing.T) {
	data, msgs := testExport(t)
	r := Verify(data)
	if !r.OK() {
		t.Fatalf("a fresh export does not verify: %+v", r)
	}
	if r.Verified != len(msgs)-1 || r.Unsigned != 1 || r.Tampered != 0 || r.Format != "json" {
		t.Errorf("report %+v", r)
	}
	if r.Signer.Name != "Ann" || r.ExportedAt == "" {
		t.Errorf("signer %+v", r.Signer)
	}
	var doc Document
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatalf("not JSON: %v", err)
	}
	if bytes.ContainsAny(data, "<>&") {
		t.Error("the JSON holds raw HTML-sensitive characters")
	}
	var body Body
	if err := json.Unmarshal(doc.Body, &body); err != nil || len(body.Messages) != len(msgs) {
		t.Fatalf("body: %v", err)
	}
}

func TestEmptyExportVerifies(t *testing.T) {
	ann := newPerson(t, 1, "Ann")
	var buf bytes.Buffer
	w, err := NewWriter(&buf, Body{ExportedAt: FormatTime(t0), ExportedBy: ann.author(t)})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Close(signer{ann}); err != nil {
		t.Fatal(err)
	}
	if r := Verify(buf.Bytes()); !r.OK() || len(r.Messages) != 0 {
		t.Fatalf("%s\n%+v", buf.Bytes(), r)
	}
	var page bytes.Buffer
	if err := WriteHTML(&page, bytes.NewReader(buf.Bytes())); err != nil {
		t.Fatal(err)
	}
	if r := Verify(page.Bytes()); !r.OK() {
		t.Fatalf("%+v", r)
	}
}

// messageLines finds each message's line in an export.
func messageLines(t *testing.T, data []byte, msgs []Message) [][2]int {
	t.Helper()
	var spans [][2]int
	for _, m := range msgs {
		start := bytes.Index(data, []byte(`{"id":"`+m.ID+`"`))
		if start < 0 {
			t.Fatalf("message %s not found", m.ID)
		}
		end := start + bytes.IndexByte(data[start:], '\n')
		for data[end-1] == ',' {
			end--
		}
		spans = append(spans, [2]int{start, end})
	}
	return spans
}

func namesMessage(r *Report, index int, id string) bool {
	for _, m := range r.Messages {
		if m.Status == StatusTampered && (m.ID == id || m.Index == index) {
			return true
		}
	}
	return false
}

// One changed character anywhere in a message fails verification and
// names the message.
func TestEveryCharacterOfAMessageIsCovered(t *testing.T) {
	data, msgs := testExport(t)
	spans := messageLines(t, data, msgs)
	stride := 1
	if raceEnabled {
		stride = 17 // every character without the race detector
	}
	for i, sp := range spans {
		for pos := sp[0]; pos < sp[1]; pos += stride {
			bad := bytes.Clone(data)
			bad[pos] = replacement(bad[pos])
			r := Verify(bad)
			if r.OK() {
				t.Fatalf("message %s: changing byte %d (%q→%q) still verifies", msgs[i].ID, pos-sp[0], data[pos], bad[pos])
			}
			if !namesMessage(r, i, msgs[i].ID) {
				t.Fatalf("message %s: changing byte %d (%q→%q) is not named: %+v", msgs[i].ID, pos-sp[0], data[pos], bad[pos], r)
			}
		}
	}
}

func replacement(c byte) byte {
	if c == 'a' {
		return 'b'
	}
	return 'a'
}

func TestTamperingOutsideMessages(t *testing.T) {
	data, msgs := testExport(t)
	for name, mutate := range map[string]func([]byte) []byte{
		"an author's name": func(b []byte) []byte {
			return bytes.Replace(b, []byte(`"name":"Bob \u003cb\u003e","fingerprint"`), []byte(`"name":"Rob \u003cb\u003e","fingerprint"`), 1)
		},
		"a message removed": func(b []byte) []byte {
			sp := messageLines(t, b, msgs[1:2])[0]
			return append(bytes.Clone(b[:sp[0]-5]), b[sp[1]+1:]...)
		},
		"the digest": func(b []byte) []byte {
			return bytes.Replace(b, []byte(`"digest": "sha256:`), []byte(`"digest": "sha256:0`), 1)
		},
		"a file record": func(b []byte) []byte {
			return bytes.Replace(b, []byte(`"size":2048,"files":1,"hash"`), []byte(`"size":2049,"files":1,"hash"`), 1)
		},
		"truncated": func(b []byte) []byte { return b[:len(b)/2] },
		"empty":     func([]byte) []byte { return nil },
	} {
		bad := mutate(bytes.Clone(data))
		if bytes.Equal(bad, data) {
			t.Fatalf("%s: the mutation changed nothing", name)
		}
		if r := Verify(bad); r.OK() {
			t.Errorf("%s: still verifies", name)
		}
	}
}

// Someone who changes the export and signs it again with their own key
// is caught, as the signer is not the exporter the body names.
func TestResignedExportFails(t *testing.T) {
	data, _ := testExport(t)
	mallory := newPerson(t, 9, "Mallory")
	var doc Document
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	sum, _ := hex.DecodeString(strings.TrimPrefix(doc.Digest, digestPrefix))
	sig, _ := mallory.priv.Sign(append([]byte(signatureDomain), sum...))
	s := signer{mallory}
	forged := Signature{Signer: s.PeerID(), PublicKey: base64.StdEncoding.EncodeToString(s.PublicKey()), Value: base64.StdEncoding.EncodeToString(sig)}
	fb, _ := json.Marshal(forged)
	old, _ := json.Marshal(doc.Signature)
	bad := bytes.Replace(data, old, fb, 1)
	r := Verify(bad)
	if r.OK() || !r.SignatureOK {
		t.Fatalf("report %+v", r)
	}
}

func TestHTMLExport(t *testing.T) {
	data, msgs := testExport(t)
	var page bytes.Buffer
	if err := WriteHTML(&page, bytes.NewReader(data)); err != nil {
		t.Fatal(err)
	}
	p := page.Bytes()
	for _, forbidden := range []string{"<script>alert", "<b>", "http://", "https://", "src=", "@import", "url("} {
		if bytes.Contains(p, []byte(forbidden)) {
			t.Errorf("the page holds %q", forbidden)
		}
	}
	for _, want := range []string{"&lt;script&gt;alert(1)&lt;/script&gt;", "Kick-off at 10\nbring ideas", "floor &amp; plan.png",
		"会議室", "Bob &lt;b&gt;", `class="proof unsigned"`} {
		if !bytes.Contains(p, []byte(want)) {
			t.Errorf("the page lacks %q", want)
		}
	}
	if n := bytes.Count(p, []byte("<script")); n != 1 {
		t.Errorf("%d script elements; want only the embedded data", n)
	}
	r := Verify(p)
	if !r.OK() || r.Format != "html" || r.Verified != len(msgs)-1 {
		t.Fatalf("the page does not verify: %+v", r)
	}
	// A character changed in what the page shows names the message.
	shown := bytes.Replace(p, []byte("Kick-off at 10"), []byte("Kick-off at 11"), 1)
	r = Verify(shown)
	if r.OK() || !namesMessage(r, 5, msgs[5].ID) {
		t.Errorf("changed text on the page: %+v", r)
	}
	if r.DigestOK != true {
		t.Errorf("the embedded data was not touched, its digest holds: %+v", r)
	}
	// So does a change in the embedded data.
	i := bytes.Index(p, []byte(dataOpen))
	embedded := bytes.Replace(p[i:], []byte(`"text":"Kick-off at 10`), []byte(`"text":"Kick-off at 12`), 1)
	r = Verify(append(bytes.Clone(p[:i]), embedded...))
	if r.OK() || !namesMessage(r, 5, msgs[5].ID) {
		t.Errorf("changed embedded data: %+v", r)
	}
	// A change outside the messages fails without naming one.
	head := bytes.Replace(p, []byte("<h1>Hallway export</h1>"), []byte("<h1>Hallway exports</h1>"), 1)
	if r := Verify(head); r.OK() || len(r.TamperedIDs()) != 0 {
		t.Errorf("changed page head: %+v", r)
	}
}

func FuzzVerify(f *testing.F) {
	// Small seeds: the fuzzer mutates large ones too slowly to learn.
	_, msgs := testExport(f)
	ann := newPerson(f, 1, "Ann")
	var small bytes.Buffer
	w, err := NewWriter(&small, Body{ExportedAt: FormatTime(t0), ExportedBy: ann.author(f), Authors: []Author{ann.author(f)}})
	if err != nil {
		f.Fatal(err)
	}
	w.Message(msgs[0])
	w.Message(msgs[5])
	if err := w.Close(signer{ann}); err != nil {
		f.Fatal(err)
	}
	f.Add(small.Bytes())
	var page bytes.Buffer
	if err := WriteHTML(&page, bytes.NewReader(small.Bytes())); err != nil {
		f.Fatal(err)
	}
	f.Add(page.Bytes())
	f.Add([]byte(`{"format":"hallway-export","version":1,"body":{},"digest":"","signature":{}}`))
	f.Add([]byte("<!DOCTYPE html>" + dataOpen + "{}" + dataClose))
	f.Fuzz(func(t *testing.T, b []byte) {
		r := Verify(b)
		if r.OK() && !looksLikeHTML(b) && !json.Valid(b) {
			t.Fatalf("verified but not JSON: %q", b)
		}
		if r.Tampered != len(r.TamperedIDs()) {
			t.Fatalf("counts disagree: %+v", r)
		}
	})
}
