package discovery

import (
	"errors"
	"net"
	"strings"
	"testing"

	"github.com/grandcat/zeroconf"
	"github.com/libp2p/go-libp2p/core/peer"
)

const (
	idA = "12D3KooWR27qHAaDNPAnCV62wSQDMsUChp8pYBcKnYbh1vVbfT4K"
	idB = "12D3KooWGfYvVjvGh3RzdctoBhaFJkWUvTdMn3syMTkFcEXrcfLo"
	// idB in CIDv1 form, which peer.Decode also accepts.
	idBCID = "bafzaajaiaejcazn7xw64m5ek62ctz2j2mbc72krcipvj3hlnjhbp4c3snp5mhkg4"
)

func TestParseTXT(t *testing.T) {
	long := strings.Repeat("x", 300)
	tests := []struct {
		name    string
		txt     []string
		wantID  string
		wantTag string
		wantErr bool
	}{
		{name: "good", txt: []string{"id=" + idA, "ws=office", "v=1"}, wantID: idA, wantTag: "office"},
		{name: "other tag", txt: []string{"id=" + idB, "ws=elsewhere", "v=1"}, wantID: idB, wantTag: "elsewhere"},
		{name: "keys in any case and order", txt: []string{"V=1", "WS=office", "Id=" + idA}, wantID: idA, wantTag: "office"},
		{name: "unknown keys and empty strings ignored", txt: []string{"", "x=y", "flag", "=orphan", "id=" + idA, "ws=office", "v=1"}, wantID: idA, wantTag: "office"},
		{name: "CID form becomes canonical", txt: []string{"id=" + idBCID, "ws=office", "v=1"}, wantID: idB, wantTag: "office"},
		{name: "value may contain =", txt: []string{"id=" + idA, "ws=a", "v=1", "note=a=b"}, wantID: idA, wantTag: "a"},
		{name: "missing id", txt: []string{"ws=office", "v=1"}, wantErr: true},
		{name: "missing tag", txt: []string{"id=" + idA, "v=1"}, wantErr: true},
		{name: "missing version", txt: []string{"id=" + idA, "ws=office"}, wantErr: true},
		{name: "unknown version", txt: []string{"id=" + idA, "ws=office", "v=2"}, wantErr: true},
		{name: "bad id", txt: []string{"id=not-a-peer-id", "ws=office", "v=1"}, wantErr: true},
		{name: "truncated id", txt: []string{"id=" + idA[:20], "ws=office", "v=1"}, wantErr: true},
		{name: "empty id", txt: []string{"id=", "ws=office", "v=1"}, wantErr: true},
		{name: "id without =", txt: []string{"id", "ws=office", "v=1"}, wantErr: true},
		{name: "duplicate id", txt: []string{"id=" + idA, "id=" + idB, "ws=office", "v=1"}, wantErr: true},
		{name: "duplicate id differing in case", txt: []string{"id=" + idA, "ID=" + idA, "ws=office", "v=1"}, wantErr: true},
		{name: "duplicate tag", txt: []string{"id=" + idA, "ws=office", "ws=office", "v=1"}, wantErr: true},
		{name: "duplicate unknown key", txt: []string{"id=" + idA, "ws=office", "v=1", "x=1", "x=2"}, wantErr: true},
		{name: "300-byte value", txt: []string{"id=" + idA, "ws=" + long, "v=1"}, wantErr: true},
		{name: "300-byte unknown string", txt: []string{"id=" + idA, "ws=office", "v=1", long}, wantErr: true},
		{name: "over-long tag", txt: []string{"id=" + idA, "ws=" + strings.Repeat("t", maxTagLen+1), "v=1"}, wantErr: true},
		{name: "tag with space", txt: []string{"id=" + idA, "ws=my office", "v=1"}, wantErr: true},
		{name: "tag with control byte", txt: []string{"id=" + idA, "ws=of\x00fice", "v=1"}, wantErr: true},
		{name: "tag not UTF-8", txt: []string{"id=" + idA, "ws=\xff\xfe", "v=1"}, wantErr: true},
		{name: "too many strings", txt: append(make([]string, maxTXTStrings), "id="+idA, "ws=office", "v=1"), wantErr: true},
		{name: "nil", txt: nil, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id, tag, err := ParseTXT(tt.txt)
			if tt.wantErr {
				if err == nil {
					t.Fatalf("ParseTXT = %q, %q, nil; want an error", id, tag)
				}
				if !errors.Is(err, ErrInvalidTXT) {
					t.Errorf("error %v does not wrap ErrInvalidTXT", err)
				}
				return
			}
			if err != nil || id != tt.wantID || tag != tt.wantTag {
				t.Fatalf("ParseTXT = %q, %q, %v; want %q, %q", id, tag, err, tt.wantID, tt.wantTag)
			}
		})
	}
}

func TestParseEntry(t *testing.T) {
	good := []string{"id=" + idA, "ws=office", "v=1"}
	entry := func(port int, txt []string) *zeroconf.ServiceEntry {
		e := zeroconf.NewServiceEntry("hw-x", DefaultService, DefaultDomain)
		e.Port, e.Text = port, txt
		e.AddrIPv4 = []net.IP{net.IPv4(10, 0, 0, 2)}
		return e
	}
	tests := []struct {
		name    string
		e       *zeroconf.ServiceEntry
		wantTag string
		wantErr bool
	}{
		{name: "good", e: entry(4001, good), wantTag: "office"},
		{name: "other tag", e: entry(4001, []string{"id=" + idA, "ws=other", "v=1"}), wantTag: "other"},
		{name: "nil entry", e: nil, wantErr: true},
		{name: "port zero", e: entry(0, good), wantErr: true},
		{name: "port too big", e: entry(70000, good), wantErr: true},
		{name: "no TXT", e: entry(4001, nil), wantErr: true},
		{name: "bad id", e: entry(4001, []string{"id=QmNope", "ws=office", "v=1"}), wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id, tag, err := ParseEntry(tt.e)
			if (err != nil) != tt.wantErr {
				t.Fatalf("ParseEntry error = %v, want error %v", err, tt.wantErr)
			}
			if err == nil && (id.String() != idA || tag != tt.wantTag) {
				t.Fatalf("ParseEntry = %s, %q; want %s, %q", id, tag, idA, tt.wantTag)
			}
		})
	}
}

func TestTXTRecordRoundTrip(t *testing.T) {
	id, err := peer.Decode(idA)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		tag     string
		wantErr bool
	}{
		{name: "short tag", tag: "office"},
		{name: "longest tag", tag: strings.Repeat("k", maxTagLen)},
		{name: "empty tag", tag: "", wantErr: true},
		{name: "too long tag", tag: strings.Repeat("k", maxTagLen+1), wantErr: true},
		{name: "tag with =", tag: "a=b", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			txt, err := txtRecord(id, tt.tag)
			if (err != nil) != tt.wantErr {
				t.Fatalf("txtRecord error = %v, want error %v", err, tt.wantErr)
			}
			if err != nil {
				return
			}
			for _, s := range txt {
				if len(s) > maxTXTString {
					t.Errorf("TXT string of %d bytes", len(s))
				}
			}
			gotID, gotTag, err := ParseTXT(txt)
			if err != nil || gotID != idA || gotTag != tt.tag {
				t.Fatalf("ParseTXT(txtRecord) = %q, %q, %v", gotID, gotTag, err)
			}
		})
	}
}

func TestInstanceName(t *testing.T) {
	a, _ := peer.Decode(idA)
	b, _ := peer.Decode(idB)
	na, nb := instanceName(a), instanceName(b)
	if na == nb {
		t.Fatalf("two peers share instance name %q", na)
	}
	for _, n := range []string{na, nb} {
		if len(n) > 63 || n != strings.ToLower(n) || !strings.HasPrefix(n, "hw-") {
			t.Errorf("instance name %q: want lower case, hw- prefix, ≤ 63 bytes", n)
		}
	}
}

// FuzzParseTXT feeds hostile TXT records: the input is split on NUL into
// strings. ParseTXT must not panic, and what it accepts must be valid and
// survive a round trip through our own encoder.
func FuzzParseTXT(f *testing.F) {
	seeds := []string{
		"id=" + idA + "\x00ws=office\x00v=1",
		"id=" + idBCID + "\x00ws=office\x00v=1",
		"ID=" + idA + "\x00Ws=x\x00V=1\x00extra",
		"id=" + idA + "\x00id=" + idB + "\x00ws=o\x00v=1",
		"id=\x00ws=\x00v=",
		"id=Qm\x00ws=office\x00v=1",
		"id=" + idA + "\x00ws=" + strings.Repeat("w", 300) + "\x00v=1",
		"=\x00==\x00id==\x00",
		"",
	}
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		id, tag, err := ParseTXT(strings.Split(in, "\x00"))
		if err != nil {
			return
		}
		pid, err := peer.Decode(id)
		if err != nil {
			t.Fatalf("accepted an undecodable id %q: %v", id, err)
		}
		if err := checkTag(tag); err != nil {
			t.Fatalf("accepted tag %q: %v", tag, err)
		}
		txt, err := txtRecord(pid, tag)
		if err != nil {
			t.Fatalf("cannot re-encode accepted record: %v", err)
		}
		id2, tag2, err := ParseTXT(txt)
		if err != nil || id2 != id || tag2 != tag {
			t.Fatalf("round trip: %q %q %v, want %q %q", id2, tag2, err, id, tag)
		}
	})
}
