package control

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"reflect"
	"testing"
	"time"

	"hallway/chat"
	"hallway/core"
)

var reflectNone = reflect.TypeFor[none]()

// TestTableServed checks every route of the table is served, and that
// routes sharing a pattern are told apart by their query.
func TestTableServed(t *testing.T) {
	h := routes(stubBackends())
	byPattern := map[string]int{}
	names := map[string]bool{}
	for _, rt := range Table() {
		if names[rt.Name] {
			t.Errorf("two routes named %s", rt.Name)
		}
		names[rt.Name] = true
		if rt.when == nil {
			byPattern[rt.Pattern()]++
		}
		if w := serveRoute(h, rt); w.Code != http.StatusOK {
			t.Errorf("%s (%s): %d %s", rt.Pattern(), rt.Name, w.Code, w.Body.String())
		}
	}
	for p, n := range byPattern {
		if n != 1 {
			t.Errorf("%s has %d default routes", p, n)
		}
	}
	// A backend left out leaves its routes unserved, like an unknown path.
	partial := routes(Backends{Profile: stubBackend{}})
	for _, rt := range Table() {
		w := serveRoute(partial, rt)
		if served := w.Code != http.StatusNotFound; served != (rt.needs == resProfile) {
			t.Errorf("with only Profile, %s answers %d", rt.Pattern(), w.Code)
		}
	}
}

// TestUnknownPath checks what a path or method outside the table gets.
func TestUnknownPath(t *testing.T) {
	c := serveFake(t, stubBackends())
	ctx := context.Background()
	for _, tc := range []struct{ method, path, want string }{
		{"GET", "/v1/nope", "control API: 404 Not Found"},
		{"GET", "/v2/id", "control API: 404 Not Found"},
		{"DELETE", "/v1/id", "control API: 405 Method Not Allowed"},
	} {
		err := c.do(ctx, tc.method, tc.path, nil, nil)
		if err == nil || err.Error() != tc.want {
			t.Errorf("%s %s: %v, want %q", tc.method, tc.path, err, tc.want)
		}
	}
	req, _ := http.NewRequest("GET", "http://hallway/v1/nope", nil)
	resp, err := c.http.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 404 || string(body) != "404 page not found\n" {
		t.Errorf("unknown path: %d %q", resp.StatusCode, body)
	}
}

// TestClientRoundTrip calls every Client method against filled values:
// what the backend returns is what the caller gets.
func TestClientRoundTrip(t *testing.T) {
	c := serveFake(t, fixtureBackends())
	ctx := context.Background()
	same := func(name string, got, want any, err error) {
		t.Helper()
		if err != nil {
			t.Errorf("%s: %v", name, err)
			return
		}
		g, _ := json.Marshal(got)
		w, _ := json.Marshal(want)
		if !bytes.Equal(g, w) {
			t.Errorf("%s: got %s\nwant %s", name, g, w)
		}
	}
	nothing := func(name string, err error) { same(name, nil, nil, err) }
	self, err := c.Self(ctx)
	same("Self", self, fill[chat.Self](), err)
	nothing("SetStatus", c.SetStatus(ctx, "away", "lunch"))
	nothing("SetName", c.SetName(ctx, "Ann"))
	st, err := c.Stats(ctx)
	same("Stats", st, fill[core.Stats](), err)
	peers, err := c.Peers(ctx)
	same("Peers", peers, fill[[]chat.Colleague](), err)
	ap, err := c.AddPeer(ctx, "/ip4/127.0.0.1/tcp/1")
	same("AddPeer", ap, fill[chat.AddPeerResult](), err)
	m, err := c.Send(ctx, "Bob", "hi")
	same("Send", m, fill[chat.Message](), err)
	ms, err := c.History(ctx, "Bob", 5, 10)
	same("History", ms, fill[[]chat.Message](), err)
	rooms, err := c.Rooms(ctx)
	same("Rooms", rooms, fill[[]chat.Room](), err)
	r, err := c.CreateRoom(ctx, "x")
	same("CreateRoom", r, fill[chat.Room](), err)
	r, err = c.JoinRoomCode(ctx, "HWR1-X")
	same("JoinRoomCode", r, fill[chat.Room](), err)
	nothing("LeaveRoom", c.LeaveRoom(ctx, "#x"))
	m, err = c.InviteToRoom(ctx, "#x", "Bob")
	same("InviteToRoom", m, fill[chat.Message](), err)
	m, err = c.SendRoom(ctx, "#x", "hi")
	same("SendRoom", m, fill[chat.Message](), err)
	code, err := c.IssueRoomCode(ctx, "#x y", 2*time.Hour, 3)
	same("IssueRoomCode", code, fill[chat.RoomCode](), err)
	nothing("RevokeRoomCode", c.RevokeRoomCode(ctx, "#x y", ""))
	invs, err := c.RoomInvitations(ctx)
	same("RoomInvitations", invs, fill[[]chat.RoomInvitation](), err)
	r, err = c.AcceptRoomInvitation(ctx, "abc")
	same("AcceptRoomInvitation", r, fill[chat.Room](), err)
	nothing("DeclineRoomInvitation", c.DeclineRoomInvitation(ctx, "abc"))
	mem, err := c.RoomMembers(ctx, "#x")
	same("RoomMembers", mem, fill[[]chat.RoomMember](), err)
	ts, err := c.Transfers(ctx)
	same("Transfers", ts, fill[[]chat.Transfer](), err)
	tr, err := c.SendFile(ctx, "Bob", "/tmp/x", 7*24*time.Hour)
	same("SendFile", tr, fill[chat.Transfer](), err)
	tr, err = c.AcceptTransfer(ctx, "t1", "")
	same("AcceptTransfer", tr, fill[chat.Transfer](), err)
	nothing("DeclineTransfer", c.DeclineTransfer(ctx, "t1"))
	nothing("CancelTransfer", c.CancelTransfer(ctx, "t1"))
	nothing("UnshareTransfer", c.UnshareTransfer(ctx, "t1"))
	trusts, err := c.Trusts(ctx)
	same("Trusts", trusts, fill[map[string]chat.Trust](), err)
	trust, err := c.TrustOf(ctx, "Bob")
	same("TrustOf", trust, fill[chat.Trust](), err)
	trust, err = c.Verify(ctx, "Bob", true)
	same("Verify", trust, fill[chat.Trust](), err)
	trust, err = c.SetLabel(ctx, "Bob", "Accounting")
	same("SetLabel", trust, fill[chat.Trust](), err)
	prefs, err := c.Prefs(ctx)
	same("Prefs", prefs, fill[chat.Prefs](), err)
	nothing("SetPrefs", c.SetPrefs(ctx, fill[chat.Prefs]()))
	hits, err := c.Search(ctx, chat.SearchQuery{Text: "hi"})
	same("Search", hits, fill[[]chat.SearchHit](), err)
	var out bytes.Buffer
	sum, err := c.Export(ctx, core.ExportOptions{Format: "json"}, &out)
	same("Export", sum, fill[core.ExportSummary](), err)
	info, err := c.Backup(ctx, &out)
	same("Backup", info, fill[core.BackupInfo](), err)
	if out.String() != "export bytesbackup bytes" {
		t.Errorf("streamed bodies: %q", out.String())
	}
	rs, err := c.Retention(ctx)
	same("Retention", rs, fill[core.RetentionStatus](), err)
	rs, err = c.SetRetention(ctx, "#x", 30)
	same("SetRetention", rs, fill[core.RetentionStatus](), err)
	hold, err := c.PlaceHold(ctx, "#x", "audit")
	same("PlaceHold", hold, fill[core.LegalHold](), err)
	hold, err = c.ReleaseHold(ctx, "h1")
	same("ReleaseHold", hold, fill[core.LegalHold](), err)
	sw, err := c.ApplyRetention(ctx)
	same("ApplyRetention", sw, fill[chat.SweepResult](), err)
	ws, err := c.SwitchWorkspace(ctx, WorkspaceRequest{Action: WorkspaceLeave})
	same("SwitchWorkspace", ws, fill[WorkspaceState](), err)

	var got []WireEvent
	err = c.Events(ctx, nil, func(e WireEvent) bool { got = append(got, e); return true })
	var want []WireEvent
	for _, e := range fixtureEvents() {
		want = append(want, ToWire(e))
	}
	same("Events", got, want, err)
	if n := len(got); n == 0 || got[n-1] != Lagged(3) {
		t.Errorf("the stream's last event is not lagged: %+v", got)
	}
}
