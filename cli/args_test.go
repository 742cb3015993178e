package cli

import (
	"reflect"
	"testing"
)

func TestParseArgs(t *testing.T) {
	spec := map[string]flagKind{"wait": boolFlag, "timeout": stringFlag, "peer": listFlag}
	cases := []struct {
		name    string
		args    []string
		pos     []string
		bools   map[string]bool
		strs    map[string]string
		lists   map[string][]string
		wantErr bool
	}{
		{name: "flags after positionals", args: []string{"Bob", "hi", "--json"}, pos: []string{"Bob", "hi"}, bools: map[string]bool{"json": true}},
		{name: "flags first", args: []string{"--data", "/d", "Bob"}, pos: []string{"Bob"}, strs: map[string]string{"data": "/d"}},
		{name: "equals form", args: []string{"--timeout=5s", "x"}, pos: []string{"x"}, strs: map[string]string{"timeout": "5s"}},
		{name: "single dash", args: []string{"-json", "x"}, pos: []string{"x"}, bools: map[string]bool{"json": true}},
		{name: "repeated list", args: []string{"--peer", "a", "--peer=b"}, lists: map[string][]string{"peer": {"a", "b"}}},
		{name: "double dash ends flags", args: []string{"Bob", "--", "--not-a-flag", "-5"}, pos: []string{"Bob", "--not-a-flag", "-5"}},
		{name: "lone dash is positional", args: []string{"Bob", "-"}, pos: []string{"Bob", "-"}},
		{name: "unknown flag", args: []string{"--bogus"}, wantErr: true},
		{name: "missing value", args: []string{"--timeout"}, wantErr: true},
		{name: "value on bool", args: []string{"--wait=yes"}, wantErr: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p, err := parseArgs(tc.args, spec)
			if (err != nil) != tc.wantErr {
				t.Fatalf("err = %v", err)
			}
			if tc.wantErr {
				return
			}
			norm := func(v any) any {
				if reflect.ValueOf(v).Len() == 0 {
					return nil
				}
				return v
			}
			if !reflect.DeepEqual(norm(p.pos), norm(tc.pos)) || !reflect.DeepEqual(norm(p.bools), norm(tc.bools)) ||
				!reflect.DeepEqual(norm(p.strs), norm(tc.strs)) || !reflect.DeepEqual(norm(p.lists), norm(tc.lists)) {
				t.Fatalf("got %+v", p)
			}
		})
	}
}

func TestSplitVerb(t *testing.T) {
	cases := []struct {
		args []string
		verb string
		rest []string
	}{
		{[]string{"history", "Bob", "--json"}, "history", []string{"Bob", "--json"}},
		{[]string{"--data", "status", "send", "Bob", "x"}, "send", []string{"--data", "status", "Bob", "x"}},
		{[]string{"--json", "peers"}, "peers", []string{"--json"}},
		{[]string{"--data=/x"}, "", []string{"--data=/x"}},
		{nil, "", nil},
	}
	for _, tc := range cases {
		verb, rest := splitVerb(tc.args)
		if verb != tc.verb || !reflect.DeepEqual(len(rest), len(tc.rest)) {
			t.Errorf("%v: got %q %v", tc.args, verb, rest)
		}
	}
}

func FuzzParseArgs(f *testing.F) {
	f.Add("send\x00Bob\x00--json\x00--\x00-x")
	f.Add("--data=\x00--timeout")
	f.Fuzz(func(t *testing.T, s string) {
		args := splitNUL(s)
		verb, rest := splitVerb(args)
		if verb != "" && len(rest) != len(args)-1 {
			t.Fatalf("verb %q lost arguments", verb)
		}
		parseArgs(rest, sendFlags)
	})
}

func splitNUL(s string) []string {
	var out []string
	start := 0
	for i := 0; i < len(s); i++ {
		if s[i] == 0 {
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
}
