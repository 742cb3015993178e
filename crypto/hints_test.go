package crypto

import (
	"net/netip"
	"slices"
	"strings"
	"testing"
)

func TestCodeAddrsRoundTrip(t *testing.T) {
	k := WorkspaceKey{1, 2, 3}
	code := k.InviteCode()
	addrs := []netip.AddrPort{
		netip.MustParseAddrPort("10.20.1.5:4774"),
		netip.MustParseAddrPort("[fd00:1::5]:4774"),
		netip.MustParseAddrPort("192.168.0.9:51000"),
		netip.MustParseAddrPort("10.0.0.1:1"), // a fourth is dropped
	}
	full := AppendCodeAddrs(code, addrs)
	one := AppendCodeAddrs(code, addrs[:1])
	if extra := len(one) - len(code); extra > 20 {
		t.Errorf("one IPv4 address adds %d characters: %s", extra, one)
	}
	if AppendCodeAddrs(code, nil) != code {
		t.Error("a code without addresses changed")
	}
	for _, typed := range []string{full, strings.ToLower(full), strings.ReplaceAll(full, "-", " ")} {
		got, gotAddrs, err := SplitCodeAddrs(typed)
		if err != nil {
			t.Fatalf("split %q: %v", typed, err)
		}
		if !slices.Equal(gotAddrs, addrs[:3]) {
			t.Fatalf("addrs %v, want %v", gotAddrs, addrs[:3])
		}
		if k2, err := ParseInviteCode(got); err != nil || k2 != k {
			t.Fatalf("the code part does not parse: %v", err)
		}
	}
	if got, a, err := SplitCodeAddrs(code); err != nil || got != code || a != nil {
		t.Fatalf("a code without addresses: %q %v %v", got, a, err)
	}
}

func TestCodeAddrsRejectTypos(t *testing.T) {
	code := AppendCodeAddrs(WorkspaceKey{9}.InviteCode(), []netip.AddrPort{netip.MustParseAddrPort("10.1.2.3:4774")})
	at := strings.Index(code, "-U-") + 3
	for i := at; i < len(code); i++ {
		if code[i] == '-' {
			continue
		}
		for _, c := range []byte(crockfordAlphabet) {
			if c == code[i] {
				continue
			}
			typo := code[:i] + string(c) + code[i+1:]
			if _, _, err := SplitCodeAddrs(typo); err == nil {
				t.Fatalf("typo %q at %d went unnoticed", c, i)
			}
		}
	}
	for _, bad := range []string{code + "U", code[:len(code)-1], strings.Replace(code, "-U-", "-U-U", 1), code[:at]} {
		if _, _, err := SplitCodeAddrs(bad); err == nil {
			t.Errorf("%q was taken", bad)
		}
	}
}

func FuzzSplitCodeAddrs(f *testing.F) {
	f.Add(AppendCodeAddrs(WorkspaceKey{9}.InviteCode(), []netip.AddrPort{netip.MustParseAddrPort("10.1.2.3:4774"), netip.MustParseAddrPort("[fd00::1]:9")}))
	f.Add("HW1-U-00000")
	f.Fuzz(func(t *testing.T, s string) {
		code, addrs, err := SplitCodeAddrs(s)
		if err != nil {
			return
		}
		if len(addrs) > MaxCodeAddrs {
			t.Fatalf("%d addresses", len(addrs))
		}
		if len(addrs) > 0 {
			again, back, err := SplitCodeAddrs(AppendCodeAddrs(code, addrs))
			if err != nil || again != code || !slices.Equal(back, addrs) {
				t.Fatalf("round trip: %q %v %v", again, back, err)
			}
		}
	})
}
