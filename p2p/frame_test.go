package p2p

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"testing"

	"hallway/chat"
)

func TestReadFrame(t *testing.T) {
	huge := binary.AppendUvarint(nil, 1<<63)
	cases := []struct {
		name    string
		in      []byte
		want    string
		wantErr error
	}{
		{"empty stream is clean EOF", nil, "", io.EOF},
		{"zero length", []byte{0}, "", nil},
		{"small", append([]byte{5}, "hello"...), "hello", nil},
		{"length 2^63", huge, "", ErrFrameTooLarge},
		{"over cap", binary.AppendUvarint(nil, 101), "", ErrFrameTooLarge},
		{"truncated body", append([]byte{10}, "abc"...), "", ErrBadFrame},
		{"truncated varint", []byte{0x80}, "", ErrBadFrame},
		{"overflowing varint", bytes.Repeat([]byte{0xff}, 11), "", ErrBadFrame},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := readFrame(bufio.NewReader(bytes.NewReader(tc.in)), 100)
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("err = %v, want %v", err, tc.wantErr)
			}
			if err == nil && string(got) != tc.want {
				t.Fatalf("got %q", got)
			}
		})
	}
}

func TestFrameRoundTrip(t *testing.T) {
	var buf bytes.Buffer
	for _, s := range []string{"a", "", strings.Repeat("x", 300)} {
		if err := writeFrame(&buf, []byte(s)); err != nil {
			t.Fatal(err)
		}
	}
	r := bufio.NewReader(&buf)
	for _, want := range []string{"a", "", strings.Repeat("x", 300)} {
		got, err := readFrame(r, 1000)
		if err != nil || string(got) != want {
			t.Fatalf("got %q, %v", got, err)
		}
	}
}

func TestDecodeDM(t *testing.T) {
	cases := []struct {
		name string
		in   string
		ok   bool
	}{
		{"good", `{"id":"abc","text":"hi","sent_at":5}`, true},
		{"empty id", `{"id":"","text":"hi","sent_at":5}`, false},
		{"id with slash", `{"id":"a/b","text":"hi","sent_at":5}`, false},
		{"blank text", `{"id":"a","text":"  ","sent_at":5}`, false},
		{"no time", `{"id":"a","text":"hi"}`, false},
		{"negative time", `{"id":"a","text":"hi","sent_at":-1}`, false},
		{"text too long", `{"id":"a","sent_at":1,"text":"` + strings.Repeat("x", chat.MaxTextBytes+1) + `"}`, false},
		{"text at limit", `{"id":"a","sent_at":1,"text":"` + strings.Repeat("x", chat.MaxTextBytes) + `"}`, true},
		{"not json", `{"id":`, false},
		{"wrong types", `{"id":5,"text":[],"sent_at":"x"}`, false},
		{"invite", `{"id":"a","text":"join us","sent_at":1,"kind":"invite","invite":{"room":"04ab3xyzkmnpqrstvw0123456w","name":"Project","key":"` + key32 + `"}}`, true},
		{"invite without room", `{"id":"a","text":"join us","sent_at":1,"kind":"invite"}`, false},
		{"invite with short key", `{"id":"a","text":"join us","sent_at":1,"kind":"invite","invite":{"room":"abc","name":"P","key":"AAAA"}}`, false},
		{"invite with bad room id", `{"id":"a","text":"x","sent_at":1,"kind":"invite","invite":{"room":"A/B","name":"P","key":"` + key32 + `"}}`, false},
		{"invite to a room id that reads like a name", `{"id":"a","text":"x","sent_at":1,"kind":"invite","invite":{"room":"general","name":"P","key":"` + key32 + `"}}`, false},
		{"invite to a #general", `{"id":"a","text":"x","sent_at":1,"kind":"invite","invite":{"room":"general-0123456789ab","name":"P","key":"` + key32 + `"}}`, false},
		{"unknown kind is plain text", `{"id":"a","text":"x","sent_at":1,"kind":"sticker"}`, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := DecodeDM([]byte(tc.in))
			if (err == nil) != tc.ok {
				t.Fatalf("err = %v, want ok=%v", err, tc.ok)
			}
		})
	}
}

// key32 is 32 zero bytes in base64, as JSON carries []byte.
const key32 = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="

func TestDecodeProfile(t *testing.T) {
	cases := []struct {
		name  string
		in    string
		ok    bool
		known int
	}{
		{"good", `{"name":"Ann","status":"away","status_text":"lunch","version":3}`, true, 0},
		{"bad status", `{"name":"Ann","status":"gone","version":3}`, false, 0},
		{"empty name", `{"name":"","status":"away","version":3}`, false, 0},
		{"rtl override in name", `{"name":"Ann\u202e","status":"away","version":3}`, false, 0},
		{"newline in name", `{"name":"A\nB","status":"away","version":3}`, false, 0},
		{"long name", `{"name":"` + strings.Repeat("n", chat.MaxNameRunes+1) + `","status":"away","version":3}`, false, 0},
		{"no version", `{"name":"Ann","status":"away"}`, false, 0},
		{"junk known peers dropped", `{"name":"Ann","status":"busy","version":1,"known":[{"id":"nope","addrs":["/ip4/1.2.3.4/tcp/1"]}]}`, true, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p, err := DecodeProfile([]byte(tc.in))
			if (err == nil) != tc.ok {
				t.Fatalf("err = %v, want ok=%v", err, tc.ok)
			}
			if err == nil && len(p.Known) != tc.known {
				t.Fatalf("known = %d", len(p.Known))
			}
		})
	}
}

func FuzzReadFrame(f *testing.F) {
	f.Add([]byte{5, 'h', 'e', 'l', 'l', 'o'})
	f.Add(binary.AppendUvarint(nil, 1<<63))
	f.Add([]byte{0x80})
	f.Fuzz(func(t *testing.T, b []byte) {
		r := bufio.NewReader(bytes.NewReader(b))
		for range 10 {
			got, err := readFrame(r, 64)
			if err != nil {
				return
			}
			if len(got) > 64 {
				t.Fatalf("frame of %d bytes passed a 64-byte cap", len(got))
			}
		}
	})
}

func FuzzDecodeDM(f *testing.F) {
	f.Add([]byte(`{"id":"abc","text":"hi","sent_at":5}`))
	f.Add([]byte(`{"id":"a","text":"\u0000","sent_at":1e30}`))
	f.Add([]byte(`{"id":"k1","text":"new key","sent_at":5,"kind":"room_key","room_key":{"room":"04ab3xyzkmnpqrstvw0123456w","epoch":2,"key":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=","removed":["12D3KooWQmVbFkN3jUpGjvtkFMZFmGvf2ZaEvzLy5VvSmUVv1cWP"]}}`))
	f.Add([]byte(`{"id":"k2","text":"x","sent_at":5,"kind":"room_key","room_key":{"room":"general-0123456789ab","epoch":0,"key":"AA=="}}`))
	f.Add([]byte(`{"id":"e1","text":"fixed","sent_at":5,"kind":"edit","ref":{"id":"abc","from":"12D3KooWQmVbFkN3jUpGjvtkFMZFmGvf2ZaEvzLy5VvSmUVv1cWP"}}`))
	f.Add([]byte(`{"id":"d1","text":"","sent_at":5,"kind":"delete","ref":{"id":"abc","from":"12D3KooWQmVbFkN3jUpGjvtkFMZFmGvf2ZaEvzLy5VvSmUVv1cWP"}}`))
	f.Add([]byte(`{"id":"r1","text":"👍","sent_at":5,"kind":"react"}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := DecodeDM(b)
		if err != nil {
			return
		}
		kind, _ := chat.KindFromDM(m.Kind)
		textOK := chat.CheckText(m.Text) == nil
		if kind.HasRef() {
			textOK = chat.CheckAmendText(kind, m.Text) == nil && m.Ref != nil && chat.CheckRef(chat.MessageRef(*m.Ref)) == nil
		} else if m.Ref != nil {
			t.Fatalf("kept a ref on a %q", m.Kind)
		}
		if !ValidID(m.ID) || !textOK || m.SentAt <= 0 {
			t.Fatalf("accepted invalid dm %+v", m)
		}
		if m.RoomKey != nil && (m.Kind != DMKindRoomKey || checkRoomKey(m.RoomKey) != nil) {
			t.Fatalf("accepted a bad room key %+v", m.RoomKey)
		}
	})
}

func TestDecodeProfileRefusesHiddenNames(t *testing.T) {
	for _, name := range []string{`Ann\u200b`, `\u202eAnn`, `A\u00adnn`, `Ann\ufe0f`, `Ann\udb40\udc41`, `\u3164`} {
		b := []byte(`{"name":"` + name + `","status":"away","version":3}`)
		if p, err := DecodeProfile(b); !errors.Is(err, ErrBadFrame) {
			t.Errorf("DecodeProfile(%s) = %+v, %v; want a bad frame", b, p, err)
		}
	}
	if _, err := DecodeProfile([]byte(`{"name":"Zoë 王","status":"away","version":3}`)); err != nil {
		t.Errorf("ordinary name refused: %v", err)
	}
}

func FuzzDecodeProfile(f *testing.F) {
	f.Add([]byte(`{"name":"Ann","status":"away","status_text":"lunch","version":3}`))
	f.Add([]byte(`{"name":"A\u200bnn","status":"away","version":3}`))
	f.Add([]byte(`{"name":"B","status":"busy","version":1,"known":[{"id":"12D3KooWQmVbFkN3jUpGjvtkFMZFmGvf2ZaEvzLy5VvSmUVv1cWP","addrs":["/ip4/10.0.0.2/tcp/1"]}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := DecodeProfile(b)
		if err != nil {
			return
		}
		if chat.CheckProfileFields(p.Name, p.Status, p.StatusText) != nil || len(p.Known) > maxKnownPeers {
			t.Fatalf("accepted invalid profile %+v", p)
		}
		for _, k := range p.Known {
			id, err := k.PeerID()
			if err != nil || id.String() != k.ID || len(k.Addrs) == 0 || len(k.Addrs) > maxAddrsPerPeer {
				t.Fatalf("introduction %+v kept, of %s, %v", k, id, err)
			}
			for _, a := range k.Addrs {
				if len(a) > maxAddrLen {
					t.Fatalf("introduction kept with an address of %d bytes", len(a))
				}
			}
			if addrs := k.Multiaddrs(); len(addrs) > len(k.Addrs) {
				t.Fatalf("introduction %+v parses to %d addresses", k, len(addrs))
			}
		}
	})
}

// An introduction's id is decoded once, to be checked, and handed on
// decoded; its addresses are parsed only when asked for: every colleague
// introduces every other while an office arrives, most of them met
// already, whose addresses go unread.
func TestIntroductionsDecodedOnce(t *testing.T) {
	const id = "12D3KooWQmVbFkN3jUpGjvtkFMZFmGvf2ZaEvzLy5VvSmUVv1cWP"
	p, err := DecodeProfile([]byte(`{"name":"B","status":"busy","version":1,"known":[{"id":"` + id +
		`","addrs":["/ip4/10.0.0.2/tcp/1","/ip4/10.0.0.2/tcp/x","/ip6/::1/tcp/2"]}]}`))
	if err != nil || len(p.Known) != 1 {
		t.Fatalf("DecodeProfile: %+v, %v", p, err)
	}
	k := p.Known[0]
	if got, err := k.PeerID(); err != nil || got.String() != id {
		t.Fatalf("PeerID = %s, %v; want %s", got, err, id)
	}
	if n := testing.AllocsPerRun(10, func() { k.PeerID() }); n != 0 {
		t.Errorf("handing on a decoded introduction's id allocates %.0f times: decoded again", n)
	}
	if addrs := k.Multiaddrs(); len(addrs) != 2 || addrs[0].String() != "/ip4/10.0.0.2/tcp/1" || addrs[1].String() != "/ip6/::1/tcp/2" {
		t.Fatalf("Multiaddrs = %v; want the two addresses that parse", addrs)
	}
	// Built by hand, it is decoded when asked, and a bad id is an error.
	h := KnownPeer{ID: id, Addrs: []string{"/ip4/10.0.0.3/tcp/3"}}
	if got, err := h.PeerID(); err != nil || got.String() != id || len(h.Multiaddrs()) != 1 {
		t.Errorf("hand-built introduction decodes to %s, %v, %v", got, h.Multiaddrs(), err)
	}
	if _, err := (KnownPeer{ID: "nope"}).PeerID(); err == nil {
		t.Error("an introduction of a bad id decodes")
	}
}

// An introduction with no address, too many or one too long is dropped;
// one whose addresses do not parse is kept (nothing dials it: see
// Multiaddrs), and so is the profile.
func TestDecodeProfileBoundsIntroductions(t *testing.T) {
	const id = "12D3KooWQmVbFkN3jUpGjvtkFMZFmGvf2ZaEvzLy5VvSmUVv1cWP"
	intro := func(addrs ...string) string {
		b, _ := json.Marshal(KnownPeer{ID: id, Addrs: addrs})
		return string(b)
	}
	nine := make([]string, maxAddrsPerPeer+1)
	for i := range nine {
		nine[i] = fmt.Sprintf("/ip4/10.0.0.%d/tcp/1", i+1)
	}
	for _, tc := range []struct {
		name  string
		intro string
		kept  bool
	}{
		{"one address", intro("/ip4/10.0.0.2/tcp/1"), true},
		{"the most addresses", intro(nine[:maxAddrsPerPeer]...), true},
		{"junk address", intro("not an address"), true},
		{"no address", intro(), false},
		{"too many addresses", intro(nine...), false},
		{"an address too long", intro("/dns4/" + strings.Repeat("a", maxAddrLen) + "/tcp/1"), false},
	} {
		p, err := DecodeProfile([]byte(`{"name":"B","status":"busy","version":1,"known":[` + tc.intro + `]}`))
		if err != nil {
			t.Fatalf("%s: DecodeProfile: %v", tc.name, err)
		}
		if kept := len(p.Known) == 1; kept != tc.kept {
			t.Errorf("%s: introduction kept = %v, want %v", tc.name, kept, tc.kept)
		}
	}
}

// A sync request names rooms by the ids nodes make, at most MaxSyncRooms.
func TestDecodeSyncRequestRoomIDs(t *testing.T) {
	room := func(id string) string { return `{"id":"` + id + `","proof":"AAAA"}` }
	for body, ok := range map[string]bool{
		room("04ab3xyzkmnpqrstvw0123456w"): true,
		room("general-0123456789ab"):       true,
		room("general"):                    false,
		room("project"):                    false,
		room(""):                           false,
		strings.Repeat(room("04ab3xyzkmnpqrstvw0123456w")+",", MaxSyncRooms) + room("04ab3xyzkmnpqrstvw0123456w"): false,
	} {
		if _, err := DecodeSyncRequest([]byte(`{"rooms":[` + body + `]}`)); (err == nil) != ok {
			t.Errorf("%.80s: %v, want ok %v", body, err, ok)
		}
	}
}

func FuzzDecodeSyncRequest(f *testing.F) {
	f.Add([]byte(`{"rooms":[{"id":"abc","proof":"AAAA","have":{"12D3KooWQmVbFkN3jUpGjvtkFMZFmGvf2ZaEvzLy5VvSmUVv1cWP":5}}]}`))
	f.Add([]byte(`{"rooms":[]}`))
	f.Add([]byte(`{"rooms":[{"id":"04ab3xyzkmnpqrstvw0123456w","proof":"AAAA"},{"id":"general-0123456789ab"}]}`))
	f.Add([]byte(`{"rooms":[{"id":"04ab3xyzkmnpqrstvw0123456w","proof":"AAAA","have":{"a":1},"held":{"a":"AFVVVQ==","b":""}}]}`))
	f.Add([]byte(`{"rooms":[{"id":"04ab3xyzkmnpqrstvw0123456w","have":{"a":18446744073709551615},"held":{"a":"AP////8="}}]}`))
	f.Add([]byte(`{"rooms":[{"id":"04ab3xyzkmnpqrstvw0123456w","have":{"a":3},"held":{"a":"wIQ9BQ=="}}]}`))
	f.Add([]byte(`{"rooms":[{"id":"04ab3xyzkmnpqrstvw0123456w","epochs":[{"epoch":0,"proof":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="},{"epoch":3,"proof":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="}]}]}`))
	f.Add([]byte(`{"rooms":[{"id":"04ab3xyzkmnpqrstvw0123456w","epochs":[{"epoch":1099511627777,"proof":"AAAA"}]}]}`))
	f.Add([]byte(`{"rooms":[{"id":"04ab3xyzkmnpqrstvw0123456w","have":{},"receipts_at":{"a":1733390000000,"b":-1}}],"receipts":true}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := DecodeSyncRequest(b)
		if err != nil {
			return
		}
		if len(r.Rooms) > MaxSyncRooms {
			t.Fatalf("%d rooms accepted", len(r.Rooms))
		}
		for _, room := range r.Rooms {
			if len(room.Have) > maxSyncAuthors || len(room.Epochs) > MaxSyncEpochs || len(room.Held) > maxSyncAuthors ||
				len(room.ReceiptsAt) > maxSyncAuthors {
				t.Fatal("oversize room entry accepted")
			}
			for _, e := range room.Epochs {
				if e.Epoch > maxSyncEpoch || len(e.Proof) != syncProofLen {
					t.Fatalf("epoch proof %d/%d bytes accepted", e.Epoch, len(e.Proof))
				}
			}
			if !chat.ValidRoomID(room.ID) {
				t.Fatalf("room id %q accepted", room.ID)
			}
			total := 0
			for author, bitmap := range room.Held {
				total += len(bitmap)
				if len(bitmap) > maxSyncHeld {
					t.Fatalf("a held bitmap of %d bytes accepted", len(bitmap))
				}
				head := room.Have[author]
				seqs := HeldSeqs(head, bitmap)
				for i, q := range seqs {
					if q <= head || q-seqs[0] >= SyncSeqWindow || i > 0 && q <= seqs[i-1] {
						t.Fatalf("held seq %d above head %d decoded out of the window or order", q, head)
					}
				}
				if again := HeldSeqs(head, HeldBitmap(head, seqs)); !slices.Equal(again, seqs) {
					t.Fatalf("held seqs %v re-encoded as %v", seqs, again)
				}
			}
			if total > MaxSyncHeldRoom {
				t.Fatalf("%d bytes of held bitmaps accepted for one room", total)
			}
		}
	})
}

func TestHeldBitmap(t *testing.T) {
	if b := HeldBitmap(200, []uint64{3, 5, 200}); b != nil {
		t.Fatalf("nothing is above the head, got %x", b)
	}
	seqs := []uint64{7, 9, 16, 6 + SyncSeqWindow, 103}
	b := HeldBitmap(1, seqs)
	// 5 seqs from head+1 to the lowest; bits from seq 7 on; 7+SyncSeqWindow-1
	// is the last the window takes.
	if want := []byte{5, 0b101, 0b10}; !bytes.Equal(b[:3], want) || len(b) != 1+(SyncSeqWindow+7)/8 {
		t.Fatalf("bitmap %x… of %d bytes", b[:3], len(b))
	}
	if got := HeldSeqs(1, b); !slices.Equal(got, []uint64{7, 9, 16, 103, 6 + SyncSeqWindow}) {
		t.Fatalf("decoded %v", got)
	}
	// An island far above the head costs no more than one near it.
	far := HeldBitmap(0, []uint64{1_000_000, 1_000_002})
	if len(far) != 4 || !slices.Equal(HeldSeqs(0, far), []uint64{1_000_000, 1_000_002}) {
		t.Fatalf("island %x", far)
	}
	top := binary.AppendUvarint(nil, 0)
	if got := HeldSeqs(math.MaxUint64-2, append(top, 0xff)); !slices.Equal(got, []uint64{math.MaxUint64 - 1, math.MaxUint64}) {
		t.Fatalf("near the top: %v", got)
	}
	if got := HeldSeqs(10, binary.AppendUvarint(nil, math.MaxUint64-5)); got != nil {
		t.Fatalf("an offset past the top decoded %v", got)
	}
	if got := HeldSeqs(10, []byte{0x80}); got != nil {
		t.Fatalf("a truncated offset decoded %v", got)
	}
	big := append(binary.AppendUvarint(nil, 0), bytes.Repeat([]byte{0xff}, 2*SyncSeqWindow/8)...)
	if got := HeldSeqs(0, big); len(got) != SyncSeqWindow {
		t.Fatalf("an oversize bitmap decoded to %d seqs, want the window's %d", len(got), SyncSeqWindow)
	}
}

func TestDecodeSyncRequestCapsHeld(t *testing.T) {
	bitmap := func(n int) string { return `"` + base64.StdEncoding.EncodeToString(make([]byte, n)) + `"` }
	held := func(authors, size int) string {
		var parts []string
		for i := range authors {
			parts = append(parts, fmt.Sprintf(`"a%d":%s`, i, bitmap(size)))
		}
		return `{"rooms":[{"id":"04ab3xyzkmnpqrstvw0123456w","have":{},"held":{` + strings.Join(parts, ",") + `}}]}`
	}
	receiptsAt := func(members int) string {
		var parts []string
		for i := range members {
			parts = append(parts, fmt.Sprintf(`"m%d":%d`, i, i))
		}
		return `{"rooms":[{"id":"04ab3xyzkmnpqrstvw0123456w","have":{},"receipts_at":{` + strings.Join(parts, ",") + `}}],"receipts":true}`
	}
	cases := []struct {
		name string
		in   string
		ok   bool
	}{
		{"a full window", held(1, maxSyncHeld), true},
		{"a bitmap beyond the window", held(1, maxSyncHeld+1), false},
		{"a room's worth", held(MaxSyncHeldRoom/maxSyncHeld, maxSyncHeld), true},
		{"more than a room's worth", held(MaxSyncHeldRoom/maxSyncHeld+1, maxSyncHeld), false},
		{"too many authors", held(maxSyncAuthors+1, 0), false},
		{"receipts of as many members", receiptsAt(maxSyncAuthors), true},
		{"receipts of too many members", receiptsAt(maxSyncAuthors + 1), false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := DecodeSyncRequest([]byte(tc.in)); (err == nil) != tc.ok {
				t.Fatalf("err = %v", err)
			}
		})
	}
}

func FuzzDecodeFileRequest(f *testing.F) {
	hash := strings.Repeat("ab", 32)
	f.Add([]byte(`{"hash":"` + hash + `","op":"chunks","chunks":[{"from":0,"to":8}]}`))
	f.Add([]byte(`{"hash":"` + hash + `","op":"manifest","room":"r1","proof":"AAAA"}`))
	f.Add([]byte(`{"hash":"` + hash + `","op":"chunks","chunks":[{"from":5,"to":2}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := DecodeFileRequest(b)
		if err != nil {
			return
		}
		n := 0
		for _, c := range r.Chunks {
			if c.From < 0 || c.To <= c.From {
				t.Fatalf("bad range accepted: %+v", c)
			}
			n += c.To - c.From
		}
		if n > maxChunksPerReq {
			t.Fatalf("%d chunks accepted", n)
		}
	})
}

// FuzzDecodeSyncChallenge feeds hostile challenge frames to the sync
// requester: only SyncChallengeBytes non-zero bytes pass.
func FuzzDecodeSyncChallenge(f *testing.F) {
	f.Add(bytes.Repeat([]byte{7}, SyncChallengeBytes))
	f.Add(make([]byte, SyncChallengeBytes))
	f.Add([]byte{1})
	f.Add(bytes.Repeat([]byte{7}, SyncChallengeBytes+1))
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := DecodeSyncChallenge(b)
		if err != nil {
			return
		}
		if len(c) != SyncChallengeBytes || bytes.Equal(c, make([]byte, SyncChallengeBytes)) {
			t.Fatalf("challenge %x accepted", c)
		}
	})
}

// A room key names a random room id, or a #general's (whose epochs the
// workspace's admins key); nothing else.
func TestRoomKeyRoomIDs(t *testing.T) {
	key := make([]byte, 32)
	general := chat.GeneralRoomIDPrefix + strings.Repeat("ab", 6)
	for id, ok := range map[string]bool{
		general:                         true,
		"04ab3xyzkmnpqrstvw0123456w":    true,
		chat.GeneralRoomIDPrefix + "zz": false,
		"general":                       false,
		"":                              false,
	} {
		if err := checkRoomKey(&RoomKey{Room: id, Epoch: 1, Key: key}); (err == nil) != ok {
			t.Errorf("room key for %q: %v", id, err)
		}
	}
}

func TestDecodeDMRefs(t *testing.T) {
	const author = "12D3KooWQmVbFkN3jUpGjvtkFMZFmGvf2ZaEvzLy5VvSmUVv1cWP"
	for _, bad := range []string{
		`{"id":"r1","text":"👍","sent_at":5,"kind":"react"}`,
		`{"id":"r1","text":"I agree","sent_at":5,"kind":"react","ref":{"id":"abc","from":"` + author + `"}}`,
		`{"id":"d1","text":"x","sent_at":5,"kind":"delete","ref":{"id":"abc","from":"` + author + `"}}`,
		`{"id":"e1","text":"x","sent_at":5,"kind":"edit","ref":{"id":"a b","from":"` + author + `"}}`,
		`{"id":"e1","text":"x","sent_at":5,"kind":"edit","ref":{"id":"abc","from":"Alice"}}`,
	} {
		if m, err := DecodeDM([]byte(bad)); !errors.Is(err, ErrBadFrame) {
			t.Errorf("DecodeDM(%s) = %+v, %v; want a bad frame", bad, m, err)
		}
	}
	m, err := DecodeDM([]byte(`{"id":"d1","text":"","sent_at":5,"kind":"delete","ref":{"id":"abc","from":"` + author + `"}}`))
	if err != nil || m.Ref == nil || m.Ref.ID != "abc" || m.Kind != "delete" {
		t.Fatalf("delete = %+v, %v", m, err)
	}
	m, err = DecodeDM([]byte(`{"id":"t1","text":"hi","sent_at":5,"ref":{"id":"abc","from":"` + author + `"}}`))
	if err != nil || m.Ref != nil {
		t.Fatalf("a plain message kept its ref: %+v, %v", m, err)
	}
}
