package policy

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"hallway/files"
)

func TestSetEveryKeyAndRoundTrip(t *testing.T) {
	var d Document
	steps := []struct{ key, value string }{
		{"files", "off"},
		{"files", "on"},
		{"files.max_size", "100M"},
		{"files.allowed", "PDF, .docx,.pdf"},
		{"files.blocked", ".exe,bat"},
		{"files.auto_accept_max", "10M"},
		{"retention.days", "365"},
		{"retention.room.04ab3xyzkmnpqrstvw0123456w", "30"},
		{"open_lan", "forbidden"},
		{"rooms.create", "admins"},
		{"notice", "Use Hallway for work only."},
		{"members.admission", "Admins"},
		{"network.allow", "fd42::/48, 100.64.0.0/10,100.64.0.0/10"},
	}
	for i, s := range steps {
		n, err := d.Set(s.key, s.value)
		if err != nil {
			t.Fatalf("set %s %s: %v", s.key, s.value, err)
		}
		if n.Version != uint64(i+1) {
			t.Fatalf("version %d after %d changes", n.Version, i+1)
		}
		d = n
	}
	want := Document{Version: 13, Admission: AdmitByAdmins, AllowNets: []string{"100.64.0.0/10", "fd42::/48"},
		Files:            Files{MaxSize: 100 << 20, Allowed: []string{".docx", ".pdf"}, Blocked: []string{".bat", ".exe"}, AutoAcceptMax: 10 << 20},
		Retention:        Retention{WorkspaceDays: 365, RoomDays: map[string]int{"04ab3xyzkmnpqrstvw0123456w": 30}},
		OpenLANForbidden: true, RoomCreation: RoomsByAdmins, Notice: "Use Hallway for work only."}
	if !bytes.Equal(d.Marshal(), want.Marshal()) {
		t.Fatalf("after every change:\n %s\nwant\n %s", d.Marshal(), want.Marshal())
	}
	back, err := Parse(d.Marshal())
	if err != nil || !bytes.Equal(back.Marshal(), d.Marshal()) {
		t.Fatalf("round trip: %s, %v", back.Marshal(), err)
	}
	if got := d.RoomRetention("04ab3xyzkmnpqrstvw0123456w"); got != 30 {
		t.Errorf("room retention %d, want its own 30", got)
	}
	if got := d.RoomRetention("other"); got != 365 {
		t.Errorf("room retention %d, want the workspace's 365", got)
	}
	cleared, err := d.Set("retention.room.04ab3xyzkmnpqrstvw0123456w", "default")
	if err != nil || len(cleared.RoomRules()) != 0 || len(d.RoomRules()) != 1 {
		t.Fatalf("clearing a room rule: %v; rules %v, earlier version's %v", err, cleared.RoomRules(), d.RoomRules())
	}
}

func TestSetRefusesNonsense(t *testing.T) {
	var d Document
	for _, s := range []struct{ key, value string }{
		{"files", "maybe"},
		{"files.max_size", "-5"},
		{"files.allowed", "a b"},
		{"files.allowed", ","},
		{"retention.days", "-1"},
		{"retention.days", "forever"},
		{"retention.room.has space", "3"},
		{"open_lan", "yes"},
		{"rooms.create", "owners"},
		{"members.admission", "anyone"},
		{"network.allow", "0.0.0.0/0"},
		{"network.allow", "100.64.0.1/10"},
		{"network.allow", "224.0.0.0/8"},
		{"network.allow", "::/8"},
		{"network.allow", "example.com"},
		{"notice", strings.Repeat("x", MaxNoticeBytes+1)},
		{"no.such", "1"},
	} {
		if _, err := d.Set(s.key, s.value); err == nil {
			t.Errorf("set %s %q was taken", s.key, s.value)
		}
	}
}

func TestParseIsStrict(t *testing.T) {
	ok := Document{Version: 2, Files: Files{Blocked: []string{".exe"}}}.Marshal()
	if _, err := Parse(ok); err != nil {
		t.Fatal(err)
	}
	rotated := Document{Version: 2}.WithNetworkKey(4, [32]byte{1}, "admin", []byte{1, 2})
	if got, err := Parse(rotated.Marshal()); err != nil || got.NetworkEpoch != 4 || got.Version != 3 {
		t.Fatalf("a rotation's version: %+v, %v", got, err)
	}
	for name, b := range map[string][]byte{
		"unknown field":                    []byte(`{"version":1,"files":{},"retention":{},"admins":["me"]}`),
		"trailing data":                    append(append([]byte(nil), ok...), []byte(`{}`)...),
		"not json":                         []byte("\xff{"),
		"oversize":                         bytes.Repeat([]byte(" "), MaxDocumentBytes+1),
		"unsorted types":                   []byte(`{"version":1,"files":{"blocked":[".exe",".bat"]},"retention":{}}`),
		"type not dotted":                  []byte(`{"version":1,"files":{"blocked":["exe"]},"retention":{}}`),
		"negative size":                    []byte(`{"version":1,"files":{"max_size":-1},"retention":{}}`),
		"absurd retention":                 []byte(`{"version":1,"files":{},"retention":{"workspace_days":99999999}}`),
		"bad room rule":                    []byte(`{"version":1,"files":{},"retention":{"room_days":{"":3}}}`),
		"bad admission":                    []byte(`{"version":1,"files":{},"retention":{},"admission":"anyone"}`),
		"bad creation":                     []byte(`{"version":1,"files":{},"retention":{},"room_creation":"all"}`),
		"network epoch without commitment": []byte(`{"version":1,"files":{},"retention":{},"network_epoch":2,"network_by":"x","network_sig":"AQ=="}`),
		"network commitment without epoch": []byte(`{"version":1,"files":{},"retention":{},"network_commit":"` + strings.Repeat("ab", 32) + `"}`),
		"short network commitment":         []byte(`{"version":1,"files":{},"retention":{},"network_epoch":2,"network_commit":"abcd","network_by":"x","network_sig":"AQ=="}`),
		"allowed range not canonical":      []byte(`{"version":1,"files":{},"retention":{},"allow_nets":["100.64.0.1/10"]}`),
		"allowed ranges not sorted":        []byte(`{"version":1,"files":{},"retention":{},"allow_nets":["fd42::/48","100.64.0.0/10"]}`),
		"allowed range too broad":          []byte(`{"version":1,"files":{},"retention":{},"allow_nets":["0.0.0.0/0"]}`),
		"unsigned network key":             []byte(`{"version":1,"files":{},"retention":{},"network_epoch":2,"network_commit":"` + strings.Repeat("ab", 32) + `"}`),
	} {
		if _, err := Parse(b); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: %v, want ErrInvalid", name, err)
		}
	}
}

// Two admins editing one version: every node keeps the same one.
func TestNewerIsOneOrder(t *testing.T) {
	a, b := []byte{1}, []byte{2}
	if !Newer(3, b, 2, a) || Newer(2, a, 3, b) {
		t.Error("a higher version does not win")
	}
	if !Newer(3, a, 3, b) || Newer(3, b, 3, a) {
		t.Error("two edits of one version are not ordered by hash")
	}
	if Newer(3, a, 3, a) {
		t.Error("a version replaces itself")
	}
}

// The workspace's file rules and a user's own: the stricter wins.
func TestFilePolicyIsTheStricter(t *testing.T) {
	d := Document{Files: Files{MaxSize: 10 << 20, Blocked: []string{".exe"}, Allowed: []string{".docx", ".pdf"}, AutoAcceptMax: 1 << 20}}
	own := files.Policy{MaxSize: 50 << 20, BlockedExtensions: []string{".bat"}}
	p := d.FilePolicy(own)
	if p.MaxSize != 10<<20 || len(p.BlockedExtensions) != 2 || len(p.AllowedExtensions) != 2 || p.Disabled {
		t.Fatalf("laid over the user's: %+v", p)
	}
	if len(own.BlockedExtensions) != 1 {
		t.Fatal("the user's own policy was changed")
	}
	if got := (Document{Files: Files{MaxSize: 100 << 20}}).FilePolicy(files.Policy{MaxSize: 5 << 20}); got.MaxSize != 5<<20 {
		t.Fatalf("the user's stricter size gave way: %d", got.MaxSize)
	}
	if got := d.FilePolicy(files.Policy{AllowedExtensions: []string{".png"}}); !got.Disabled {
		t.Fatalf("nothing both allow, yet files are on: %+v", got)
	}
	if d.AutoAcceptMax(0) != 1<<20 || d.AutoAcceptMax(5<<20) != 1<<20 || d.AutoAcceptMax(512) != 512 {
		t.Error("auto-accept is not capped by the workspace")
	}
	off := Document{Files: Files{Disabled: true}}
	if !off.FilePolicy(files.Policy{}).Disabled {
		t.Error("the workspace turned files off, the node did not")
	}
	m := &files.Manifest{Name: "setup.zip", Entries: []files.Entry{{Path: "setup.zip", Size: 10}}}
	if err := p.Check(m, 1<<40); !errors.Is(err, files.ErrRefused) {
		t.Fatalf("a type the workspace does not allow: %v", err)
	}
	m.Entries[0].Path, m.Name = "minutes.pdf", "minutes.pdf"
	if err := p.Check(m, 1<<40); err != nil {
		t.Fatalf("an allowed type: %v", err)
	}
	if !(Document{}).MayCreateRooms(false) || (Document{RoomCreation: RoomsByAdmins}).MayCreateRooms(false) ||
		!(Document{RoomCreation: RoomsByAdmins}).MayCreateRooms(true) {
		t.Error("room creation rights")
	}
}

func FuzzParse(f *testing.F) {
	f.Add(Document{Version: 1}.Marshal())
	f.Add([]byte(`{"version":2,"files":{"disabled":true,"allowed":[".pdf"]},"retention":{"room_days":{"r":3}},"notice":"x"}`))
	f.Add([]byte(`{}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		d, err := Parse(b)
		if err != nil {
			return
		}
		again, err := Parse(d.Marshal())
		if err != nil || !bytes.Equal(again.Marshal(), d.Marshal()) {
			t.Fatalf("a parsed document does not re-read as itself: %s, %v", d.Marshal(), err)
		}
	})
}

func TestHoldsBySetting(t *testing.T) {
	d, err := Document{}.Set("hold.workspace", "audit 2026")
	if err != nil || d.Holds[HoldWorkspace] != "audit 2026" || d.Version != 1 {
		t.Fatalf("%+v, %v", d, err)
	}
	if d, err = d.Set("hold.r0123", "case 12"); err != nil || len(d.HeldScopes()) != 2 {
		t.Fatalf("%+v, %v", d, err)
	}
	if d, err = d.Set("hold.workspace", "none"); err != nil || len(d.Holds) != 1 || d.Version != 3 {
		t.Fatalf("released: %+v, %v", d, err)
	}
	if _, err := d.Set("hold.workspace", "none"); err == nil {
		t.Fatal("released a hold not in force")
	}
	if _, err := d.Set("hold.two words", "x"); err == nil {
		t.Fatal("a hold on a scope that is no room id")
	}
	again, err := Parse(d.Marshal())
	if err != nil || again.Holds["r0123"] != "case 12" {
		t.Fatalf("round trip: %+v, %v", again, err)
	}
}

func TestDescribe(t *testing.T) {
	if got := (Document{}).Describe(); len(got) != 0 {
		t.Fatalf("the empty policy restricts %v", got)
	}
	d := Document{Files: Files{MaxSize: 10 << 20, Blocked: []string{".bat", ".exe"}}, Retention: Retention{WorkspaceDays: 30},
		Holds: map[string]string{HoldWorkspace: "audit"}, RoomCreation: RoomsByAdmins}
	got := strings.Join(d.Describe(), "; ")
	for _, want := range []string{"files up to 10.5 MB", ".bat, .exe files refused", "history kept 30 days", "legal hold on the workspace: audit", "rooms created by admins only"} {
		if !strings.Contains(got, want) {
			t.Fatalf("%q lacks %q", got, want)
		}
	}
	if got := (Document{Files: Files{Disabled: true, MaxSize: 5}}).Describe(); len(got) != 1 || got[0] != "file transfer off" {
		t.Fatalf("transfers off: %v", got)
	}
}
