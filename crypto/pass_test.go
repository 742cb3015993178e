package crypto

import (
	"bytes"
	"strings"
	"testing"
)

const testPassRoom = "04ab3xyzkmnpqrstvw01234560"

func testPass(t testing.TB) PassCode {
	t.Helper()
	var k WorkspaceKey
	k[0] = 7
	c, err := NewPass(Invite{Key: k, Room: testPassRoom})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestPassCodeRoundTripsAndCatchesTypos(t *testing.T) {
	c := testPass(t)
	code, err := c.Encode()
	if err != nil {
		t.Fatal(err)
	}
	invite, _ := c.Invite.Code()
	if !IsPassCode(code) || IsPassCode(invite) {
		t.Fatalf("IsPassCode tells a pass code from an invite code wrongly: %q", code)
	}
	for _, in := range []string{code, strings.ToLower(code), strings.ReplaceAll(code, "-", " ")} {
		got, err := ParsePassCode(in)
		if err != nil || got != c {
			t.Fatalf("ParsePassCode(%q) = %v, %v", in, got, err)
		}
	}
	typo := []byte(code)
	i := len(typo) - 3
	typo[i] = map[bool]byte{true: 'A', false: 'B'}[typo[i] != 'A']
	if _, err := ParsePassCode(string(typo)); err == nil {
		t.Fatal("a code with a typo parsed")
	}
	if _, err := ParsePassCode(invite); err == nil {
		t.Fatal("an invite code parsed as a pass code")
	}
	if strings.Contains(c.String(), code[4:20]) {
		t.Fatal("String shows the code")
	}
}

func TestPassProofBindsRoomNewcomerAndKey(t *testing.T) {
	c := testPass(t)
	other := testPass(t)
	p := NewPassProof(c.Private(), "room-a", []byte("newcomer"), 1234)
	if p.Key != c.PassKey() || !p.Verify("room-a", []byte("newcomer")) {
		t.Fatal("a good proof does not verify")
	}
	again, err := ParsePassProof(p.Marshal())
	if err != nil || again != p {
		t.Fatalf("proof round trip: %v, %v", again, err)
	}
	bad := []struct {
		name string
		p    PassProof
		room string
		who  string
	}{
		{"another room", p, "room-b", "newcomer"},
		{"another newcomer", p, "room-a", "mallory"},
		{"another time", PassProof{Key: p.Key, At: 1235, Sig: p.Sig}, "room-a", "newcomer"},
		{"another pass's key named", PassProof{Key: other.PassKey(), At: p.At, Sig: p.Sig}, "room-a", "newcomer"},
		{"signed by another pass", PassProof{Key: c.PassKey(), At: 1234, Sig: NewPassProof(other.Private(), "room-a", []byte("newcomer"), 1234).Sig}, "room-a", "newcomer"},
	}
	for _, b := range bad {
		if b.p.Verify(b.room, []byte(b.who)) {
			t.Errorf("%s: verified", b.name)
		}
	}
}

func TestPassTermsRefuseWhatTheyCannotMean(t *testing.T) {
	k := testPass(t).PassKey()
	good := PassTerms{Key: k, Uses: 3, Expires: 1 << 40}
	got, err := ParsePassTerms(good.Marshal())
	if err != nil || got != good {
		t.Fatalf("terms round trip: %v, %v", got, err)
	}
	for name, b := range map[string][]byte{
		"no uses":    PassTerms{Key: k, Expires: 1}.Marshal(),
		"too many":   PassTerms{Key: k, Uses: MaxPassUses + 1, Expires: 1}.Marshal(),
		"no expiry":  PassTerms{Key: k, Uses: 1}.Marshal(),
		"trailing":   append(good.Marshal(), 0),
		"truncated":  good.Marshal()[:20],
		"version 2":  append([]byte{2}, good.Marshal()[1:]...),
		"long input": bytes.Repeat([]byte{1}, 200),
	} {
		if _, err := ParsePassTerms(b); err == nil {
			t.Errorf("%s: parsed", name)
		}
	}
}

// Terms signed by the pass's own key tell a newcomer holding the code the
// genuine opening from one a stranger made up with the public key alone.
func TestPassTermsSignedByThePassKey(t *testing.T) {
	c := testPass(t)
	terms := PassTerms{Key: c.PassKey(), Uses: 2, Expires: 1 << 40}
	if terms.VerifyOpening(testPassRoom) {
		t.Fatal("unsigned terms verify")
	}
	terms.Sign(c.Private(), testPassRoom)
	got, err := ParsePassTerms(terms.Marshal())
	if err != nil || got != terms || !got.VerifyOpening(testPassRoom) {
		t.Fatalf("signed terms round trip: %+v %v", got, err)
	}
	more := got
	more.Uses = 3
	other := testPass(t)
	forged := PassTerms{Key: c.PassKey(), Uses: 2, Expires: 1 << 40}
	forged.Sign(other.Private(), testPassRoom) // a stranger's key, the pass's name
	for name, bad := range map[string]bool{
		"more uses":       more.VerifyOpening(testPassRoom),
		"another room":    got.VerifyOpening(testPassRoom + "x"),
		"a stranger's":    forged.VerifyOpening(testPassRoom),
		"unsigned parsed": PassTerms{Key: c.PassKey(), Uses: 2, Expires: 1 << 40}.VerifyOpening(testPassRoom),
	} {
		if bad {
			t.Errorf("%s: verifies", name)
		}
	}
	empty := append(PassTerms{Key: c.PassKey(), Uses: 2, Expires: 9}.Marshal(), make([]byte, 64)...)
	empty[0] = passTermsSigned
	if _, err := ParsePassTerms(empty); err == nil {
		t.Error("signed terms with an empty signature parse")
	}
}

func TestMemberOpsCarryPasses(t *testing.T) {
	c := testPass(t)
	terms := PassTerms{Key: c.PassKey(), Uses: 2, Expires: 99}
	proof := NewPassProof(c.Private(), "r", []byte("p"), 5)
	key := c.PassKey()
	for _, o := range []MemberOp{
		{Kind: BodyAdd, Payload: terms.Marshal()},
		{Kind: BodyJoin, Payload: proof.Marshal(), Parents: []OpHash{{1}}},
		{Kind: BodyRemove, Target: key[:]},
	} {
		if err := o.Validate(); err != nil {
			t.Fatalf("%v: %v", o.Kind, err)
		}
		got, err := UnmarshalMemberOp(o.Kind, o.Marshal())
		if err != nil || !bytes.Equal(got.Marshal(), o.Marshal()) {
			t.Fatalf("%v: round trip %v", o.Kind, err)
		}
	}
	for name, o := range map[string]MemberOp{
		"an add naming nobody with a statement": {Kind: BodyAdd, Payload: Statement{Name: "x"}.Marshal()},
		"a join with terms":                     {Kind: BodyJoin, Payload: terms.Marshal()},
		"a code's join with a pass":             {Kind: BodyJoin, Target: make([]byte, 32), Payload: proof.Marshal()},
	} {
		if err := o.Validate(); err == nil {
			t.Errorf("%s: valid", name)
		}
	}
}

func FuzzParsePass(f *testing.F) {
	c := PassCode{Invite: Invite{Room: testPassRoom}, Seed: [32]byte{1}}
	code, _ := c.Encode()
	f.Add(code)
	f.Add(string(PassTerms{Key: c.PassKey(), Uses: 1, Expires: 9}.Marshal()))
	signed := PassTerms{Key: c.PassKey(), Uses: 1, Expires: 9}
	signed.Sign(c.Private(), testPassRoom)
	f.Add(string(signed.Marshal()))
	f.Add(string(NewPassProof(c.Private(), "r", []byte("p"), 5).Marshal()))
	f.Add("HW2-")
	f.Add("")
	net := NetworkKey{Key: WorkspaceKey{2}, Epoch: 1}
	rotated := PassCode{Invite: Invite{Room: testPassRoom, Network: &net}, Seed: [32]byte{1}}
	rc, _ := rotated.Encode()
	f.Add(rc)
	f.Fuzz(func(t *testing.T, s string) {
		if pc, err := ParsePassCode(s); err == nil {
			code, err := pc.Encode()
			if err != nil {
				t.Fatalf("a parsed pass code does not encode: %v", err)
			}
			if again, err := ParsePassCode(code); err != nil || again.Key != pc.Key || again.Room != pc.Room ||
				again.Seed != pc.Seed || again.NetworkKey() != pc.NetworkKey() {
				t.Fatalf("re-encoded pass code: %v", err)
			}
		}
		if pt, err := ParsePassTerms([]byte(s)); err == nil && !bytes.Equal(pt.Marshal(), []byte(s)) {
			t.Fatal("terms do not re-encode to their input")
		}
		if pp, err := ParsePassProof([]byte(s)); err == nil && !bytes.Equal(pp.Marshal(), []byte(s)) {
			t.Fatal("proof does not re-encode to its input")
		}
	})
}

func TestPassOperationsDescribeThemselves(t *testing.T) {
	c := testPass(t)
	key := c.PassKey()
	for want, o := range map[string]MemberOp{
		"opened pass " + key.Short() + " for 3 newcomer(s)": {Kind: BodyAdd, Payload: PassTerms{Key: key, Uses: 3, Expires: 9}.Marshal()},
		"joined with pass " + key.Short():                   {Kind: BodyJoin, Payload: NewPassProof(c.Private(), "r", []byte("p"), 5).Marshal()},
		"closed pass " + key.Short():                        {Kind: BodyRemove, Target: key[:]},
		"let room-code holders in":                          {Kind: BodyAdd},
	} {
		if got := o.Describe(); got != want {
			t.Errorf("%v describes itself as %q, want %q", o.Kind, got, want)
		}
	}
}
