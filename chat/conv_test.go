package chat

import (
	"errors"
	"strings"
	"testing"
)

func TestParseConv(t *testing.T) {
	peer := "12D3KooWQYhTNQdmr3ArTeUHRYzFg94BKyTkoWBDWez9kSCVe2Xo"
	tests := []struct {
		name string
		in   string
		want ConvID
		ok   bool
	}{
		{name: "dm", in: "dm:" + peer, want: DMConv(peer), ok: true},
		{name: "room", in: "room:04ab3xyz", want: RoomConv("04ab3xyz"), ok: true},
		{name: "general room", in: "room:general-0123456789ab", want: RoomConv("general-0123456789ab"), ok: true},
		{name: "empty", in: ""},
		{name: "dm without peer", in: "dm:"},
		{name: "room without id", in: "room:"},
		{name: "unknown prefix", in: "group:x"},
		{name: "no prefix", in: peer},
		{name: "upper-case prefix", in: "DM:" + peer},
		{name: "room ref", in: "#general"},
		{name: "NUL", in: "dm:a\x00b"},
		{name: "space", in: "room:a b"},
		{name: "newline", in: "dm:a\n"},
		{name: "non-ASCII", in: "room:café"},
		{name: "invalid UTF-8", in: "dm:\xff"},
		{name: "huge", in: "dm:" + strings.Repeat("a", 1<<20)},
		{name: "just over the limit", in: "dm:" + strings.Repeat("a", MaxConvIDBytes-2)},
		{name: "at the limit", in: "dm:" + strings.Repeat("a", MaxConvIDBytes-3), want: DMConv(strings.Repeat("a", MaxConvIDBytes-3)), ok: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseConv(tc.in)
			if !tc.ok {
				if err == nil || !errors.Is(err, ErrBadConv) {
					t.Fatalf("ParseConv(%.40q) = %v, %v; want ErrBadConv", tc.in, got, err)
				}
				if !got.IsZero() {
					t.Fatalf("ParseConv(%.40q) returned %v with its error", tc.in, got)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("ParseConv(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
			}
			if got.String() != tc.in {
				t.Fatalf("String() = %q, want %q", got.String(), tc.in)
			}
		})
	}
}

func TestConvIDForms(t *testing.T) {
	dm, room := DMConv("p1"), RoomConv("r1")
	for _, tc := range []struct {
		c                    ConvID
		text, id, peer, room string
		isDM, isRoom         bool
		kind                 ConvKind
	}{
		{c: dm, text: "dm:p1", id: "p1", peer: "p1", isDM: true, kind: ConvDM},
		{c: room, text: "room:r1", id: "r1", room: "r1", isRoom: true, kind: ConvRoom},
		{c: ConvID{}},
	} {
		c := tc.c
		if c.String() != tc.text || c.ID() != tc.id || c.Peer() != tc.peer || c.Room() != tc.room ||
			c.IsDM() != tc.isDM || c.IsRoom() != tc.isRoom || c.Kind() != tc.kind || c.IsZero() != (tc.kind == 0) {
			t.Errorf("%#v: String %q ID %q Peer %q Room %q IsDM %v IsRoom %v Kind %v", c,
				c.String(), c.ID(), c.Peer(), c.Room(), c.IsDM(), c.IsRoom(), c.Kind())
		}
	}
}

func TestRoomOfPeerOf(t *testing.T) {
	for _, tc := range []struct {
		in           string
		room, peer   string
		isRoom, isDM bool
	}{
		{in: "room:r1", room: "r1", isRoom: true},
		{in: "dm:p1", peer: "p1", isDM: true},
		{in: "room:"},
		{in: "dm:"},
		{in: "workspace"},
		{in: ""},
	} {
		room, isRoom := RoomOf(tc.in)
		peer, isDM := PeerOf(tc.in)
		if room != tc.room || isRoom != tc.isRoom || peer != tc.peer || isDM != tc.isDM ||
			IsRoomConv(tc.in) != tc.isRoom || IsDMConv(tc.in) != tc.isDM {
			t.Errorf("%q: RoomOf %q %v, PeerOf %q %v", tc.in, room, isRoom, peer, isDM)
		}
	}
}

func FuzzParseConv(f *testing.F) {
	for _, s := range []string{"dm:12D3KooWQYhTNQdmr3ArTeUHRYzFg94BKyTkoWBDWez9kSCVe2Xo", "room:04ab", "room:", "dm:", "", "x:y", "dm:a\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := ParseConv(s)
		if err != nil {
			if !c.IsZero() {
				t.Fatalf("ParseConv(%q) returned %v with an error", s, c)
			}
			return
		}
		if c.String() != s {
			t.Fatalf("ParseConv(%q).String() = %q", s, c.String())
		}
		if c.IsDM() == c.IsRoom() || c.ID() == "" {
			t.Fatalf("ParseConv(%q) = %#v", s, c)
		}
		if again, err := ParseConv(c.String()); err != nil || again != c {
			t.Fatalf("round trip of %q: %v, %v", s, again, err)
		}
		if room, ok := RoomOf(s); ok != c.IsRoom() || room != c.Room() {
			t.Fatalf("RoomOf(%q) = %q, %v; ParseConv says %#v", s, room, ok, c)
		}
	})
}
