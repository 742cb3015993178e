package crypto

import (
	"strings"
	"testing"
	"time"
)

func TestCodeRecordsRoundTrip(t *testing.T) {
	h := randomCode(t).Hash()
	issued := CodeIssued{Hash: h, ExpiresAt: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC).UnixMilli(), Uses: 3}
	if got, err := ParseCodeIssued(issued.Text()); err != nil || got != issued {
		t.Errorf("issued round trip = %+v, %v", got, err)
	}
	for _, r := range []CodeRevoked{{All: true}, {Hash: h}} {
		if got, err := ParseCodeRevoked(r.Text()); err != nil || got != r {
			t.Errorf("revoked round trip = %+v, %v", got, err)
		}
	}
	join := MemberOp{Kind: BodyJoin, Target: h[:]}
	if got, err := UnmarshalMemberOp(BodyJoin, join.Marshal()); err != nil {
		t.Errorf("join by code: %v", err)
	} else if c, ok := got.Code(); !ok || c != h {
		t.Errorf("join by code names %v %v", c, ok)
	}
	if _, ok := (MemberOp{Kind: BodyJoin}).Code(); ok {
		t.Error("a join by invitation names a code")
	}
	// Each record is one body kind; every body validates.
	for _, b := range []RoomBody{
		{Kind: BodyCodeIssued, SentAt: 1, Text: issued.Text()},
		{Kind: BodyCodeRevoked, SentAt: 1, Text: CodeRevoked{All: true}.Text()},
		{Kind: BodyJoin, SentAt: 1, Text: string(join.Marshal())},
	} {
		if got, err := UnmarshalRoomBody(b.Marshal()); err != nil || got != b {
			t.Errorf("body %d: %v", b.Kind, err)
		}
	}
}

func TestCodeRecordsReject(t *testing.T) {
	hex := randomCode(t).Hash().String()
	for _, text := range []string{
		"", "v1", "v2 " + hex + " 1 0", "v1 " + hex + " 0 0", "v1 " + hex + " -1 0", "v1 " + hex + " 01 0",
		"v1 " + hex + " 1 10001", "v1 " + hex + " 1 -1", "v1 " + strings.ToUpper(hex) + " 1 0", "v1 " + hex[2:] + " 1 0",
		"v1 " + hex + "  1 0", "v1 " + hex + " 1 0 ", "v1 " + hex + " 1", strings.Repeat("v", 200),
	} {
		if c, err := ParseCodeIssued(text); err == nil {
			t.Errorf("ParseCodeIssued(%q) = %+v", text, c)
		}
	}
	for _, text := range []string{"", "v1", "v1 ALL", "v1 " + hex + " x", "v1  all"} {
		if c, err := ParseCodeRevoked(text); err == nil {
			t.Errorf("ParseCodeRevoked(%q) = %+v", text, c)
		}
	}
	for _, text := range []string{"x", "v1 all", "v1 " + hex[1:], string(MemberOp{Kind: BodyJoin, Target: make([]byte, 31)}.Marshal())} {
		if err := (RoomBody{Kind: BodyJoin, SentAt: 1, Text: text}).Validate(); err == nil {
			t.Errorf("a join with text %q validates", text)
		}
	}
}

func FuzzParseCodeRecord(f *testing.F) {
	h := HashCodeToken("04ab3xyzkmnpqrstvw0123456w", CodeToken{1})
	f.Add(CodeIssued{Hash: h, ExpiresAt: 1700000000000, Uses: 5}.Text())
	f.Add(CodeRevoked{All: true}.Text())
	f.Add(CodeRevoked{Hash: h}.Text())
	f.Add("v1 " + h.String() + " 01 0")
	f.Add("")
	f.Fuzz(func(t *testing.T, s string) {
		if c, err := ParseCodeIssued(s); err == nil && c.Text() != s {
			t.Fatalf("issued %q re-encodes as %q", s, c.Text())
		}
		if c, err := ParseCodeRevoked(s); err == nil && c.Text() != s {
			t.Fatalf("revoked %q re-encodes as %q", s, c.Text())
		}
	})
}
