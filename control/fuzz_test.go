package control

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"hallway/chat"
	"hallway/core"
)

// stubBackend answers every call with empty values, and with a user
// error for names it does not know, like the real service would.
type stubBackend struct{}

func (stubBackend) Self(context.Context) (chat.Self, error)         { return chat.Self{}, nil }
func (stubBackend) Peers(context.Context) ([]chat.Colleague, error) { return nil, nil }
func (stubBackend) Subscribe(ctx context.Context) <-chan chat.Event {
	c := make(chan chat.Event)
	close(c)
	return c
}
func (stubBackend) Rooms(context.Context) ([]chat.Room, error)         { return nil, nil }
func (stubBackend) Transfers(context.Context) ([]chat.Transfer, error) { return nil, nil }
func (stubBackend) Stats() core.Stats                                  { return core.Stats{} }
func (stubBackend) Doctor(context.Context, string) (chat.Diagnosis, error) {
	return chat.Diagnosis{}, nil
}
func (stubBackend) AddPeer(_ context.Context, a string) (chat.AddPeerResult, error) {
	return chat.AddPeerResult{Addr: a}, nil
}
func (stubBackend) Block(_ context.Context, p, r string) (chat.Block, error) {
	return chat.Block{PeerID: p, Reason: r}, nil
}
func (stubBackend) Unblock(_ context.Context, p string) (chat.Block, error) {
	return chat.Block{PeerID: p}, nil
}
func (stubBackend) Blocked(context.Context) ([]chat.Block, error) { return nil, nil }
func (stubBackend) NearbyWorkspaces(context.Context) ([]chat.NearbyWorkspace, error) {
	return nil, nil
}
func (stubBackend) Send(context.Context, string, string) (chat.Message, error) {
	return chat.Message{}, nil
}
func (stubBackend) Mute(context.Context, string, chat.NotifyLevel, time.Time) (chat.Mute, error) {
	return chat.Mute{Conversation: "room:r1", Level: chat.NotifyMentions}, nil
}
func (stubBackend) DoNotDisturb(context.Context, time.Time) error { return nil }
func (stubBackend) Amend(context.Context, chat.Kind, string, string) (chat.Message, error) {
	return chat.Message{}, nil
}
func (stubBackend) History(context.Context, string, int64, int) ([]chat.Message, error) {
	return nil, nil
}
func (stubBackend) SetStatus(context.Context, string, string) error         { return nil }
func (stubBackend) SetName(context.Context, string) error                   { return nil }
func (stubBackend) CreateRoom(context.Context, string) (chat.Room, error)   { return chat.Room{}, nil }
func (stubBackend) JoinRoomCode(context.Context, string) (chat.Room, error) { return chat.Room{}, nil }
func (stubBackend) LeaveRoom(context.Context, string) error                 { return nil }
func (stubBackend) IssueRoomCode(context.Context, string, time.Duration, int) (chat.RoomCode, error) {
	return chat.RoomCode{}, nil
}
func (stubBackend) RevokeRoomCode(context.Context, string, string) error { return nil }
func (stubBackend) RoomInvitations(context.Context) ([]chat.RoomInvitation, error) {
	return nil, nil
}
func (stubBackend) AcceptRoomInvitation(context.Context, string) (chat.Room, error) {
	return chat.Room{}, nil
}
func (stubBackend) DeclineRoomInvitation(context.Context, string) error { return nil }
func (stubBackend) SendFile(context.Context, string, string, time.Duration) (chat.Transfer, error) {
	return chat.Transfer{}, nil
}
func (stubBackend) AcceptTransfer(context.Context, string, string) (chat.Transfer, error) {
	return chat.Transfer{}, nil
}
func (stubBackend) DeclineTransfer(context.Context, string) error { return nil }
func (stubBackend) CancelTransfer(context.Context, string) error  { return nil }
func (stubBackend) UnshareTransfer(context.Context, string) error { return nil }
func (stubBackend) InviteToRoom(context.Context, string, string) (chat.Message, error) {
	return chat.Message{}, nil
}
func (stubBackend) RoomMembers(context.Context, string) ([]chat.RoomMember, error) {
	return nil, nil
}
func (stubBackend) RemoveFromRoom(context.Context, string, string) error      { return nil }
func (stubBackend) SetRoomRole(context.Context, string, string, string) error { return nil }
func (stubBackend) SendRoom(context.Context, string, string) (chat.Message, error) {
	return chat.Message{}, nil
}

func (stubBackend) Search(context.Context, chat.SearchQuery) ([]chat.SearchHit, error) {
	return nil, nil
}
func (stubBackend) Export(context.Context, core.ExportOptions, io.Writer) (core.ExportSummary, error) {
	return core.ExportSummary{}, nil
}
func (stubBackend) Retention(context.Context) (core.RetentionStatus, error) {
	return core.RetentionStatus{}, nil
}
func (stubBackend) SetRetention(context.Context, string, int) (core.RetentionStatus, error) {
	return core.RetentionStatus{}, nil
}
func (stubBackend) PlaceHold(context.Context, string, string) (core.LegalHold, error) {
	return core.LegalHold{}, nil
}
func (stubBackend) ReleaseHold(context.Context, string) (core.LegalHold, error) {
	return core.LegalHold{}, nil
}
func (stubBackend) ApplyRetention(context.Context) (chat.SweepResult, error) {
	return chat.SweepResult{}, nil
}
func (stubBackend) Backup(context.Context, io.Writer) (core.BackupInfo, error) {
	return core.BackupInfo{}, nil
}

func (stubBackend) Trusts(context.Context) (map[string]chat.Trust, error) { return nil, nil }
func (stubBackend) TrustOf(context.Context, string) (chat.Trust, error)   { return chat.Trust{}, nil }
func (stubBackend) Verify(context.Context, string, bool) (chat.Trust, error) {
	return chat.Trust{}, nil
}
func (stubBackend) SetLabel(context.Context, string, string) (chat.Trust, error) {
	return chat.Trust{}, nil
}
func (stubBackend) Prefs(context.Context) (chat.Prefs, error)  { return chat.Prefs{}, nil }
func (stubBackend) SetPrefs(context.Context, chat.Prefs) error { return nil }

func (stubBackend) SwitchWorkspace(context.Context, WorkspaceRequest) (WorkspaceState, error) {
	return WorkspaceState{}, nil
}

var _ Backend = stubBackend{}

// stubBackends serves every route of the table from stubBackend.
func stubBackends() Backends {
	b := BackendsOf(stubBackend{})
	b.Workspace = stubBackend{}
	return b
}

// FuzzControlAPI sends any method, path, query and body to the control
// API: it answers every request with a status and a JSON body (or the
// event stream), and never panics.
func FuzzControlAPI(f *testing.F) {
	f.Add("POST", "/v1/send", []byte(`{"peer":"Bob","text":"hi"}`))
	f.Add("GET", "/v1/history?peer=%23general&before=-1&limit=99999999999999999999", []byte(nil))
	f.Add("POST", "/v1/rooms/join", []byte(`{"code":"HWR1-`+strings.Repeat("A", 100)+`"}`))
	f.Add("POST", "/v1/files/accept", []byte(`{"id":"x","to":"../../etc"}`))
	f.Add("POST", "/v1/status", []byte(`{"status":"away","text":"`+strings.Repeat("\\u0000", 1000)+`"}`))
	f.Add("DELETE", "/v1/../v1/id", []byte(`{}`))
	f.Add("GET", "/v1/stats", []byte(nil))
	h := routes(stubBackends())
	f.Fuzz(func(t *testing.T, method, target string, body []byte) {
		if !strings.HasPrefix(target, "/") {
			target = "/" + target
		}
		req, err := http.NewRequest(method, "http://hallway"+target, bytes.NewReader(body))
		if err != nil {
			return // not a request a client could send
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code == http.StatusOK && strings.HasPrefix(w.Header().Get("Content-Type"), "application/json") && !json.Valid(w.Body.Bytes()) {
			t.Fatalf("%s %s answered 200 with invalid JSON %q", method, target, w.Body.String())
		}
	})
}

func (stubBackend) WorkspaceMembers(context.Context) ([]chat.RoomMember, error) { return nil, nil }
func (stubBackend) SetWorkspaceAdmin(context.Context, string, bool) error       { return nil }
func (stubBackend) Policy(context.Context) (chat.Policy, error)                 { return chat.Policy{}, nil }
func (stubBackend) SetPolicy(context.Context, string, string) (chat.Policy, error) {
	return chat.Policy{}, nil
}
func (stubBackend) PolicyHistory(context.Context) ([]chat.Policy, error) { return nil, nil }

func (stubBackend) RevokeMember(context.Context, string) error                       { return nil }
func (stubBackend) AdmitMember(context.Context, string, string, time.Duration) error { return nil }

func (stubBackend) AcknowledgeNotice(context.Context) (chat.Policy, error) { return chat.Policy{}, nil }

func (stubBackend) OpenPass(context.Context, int, time.Duration) (chat.WorkspacePass, error) {
	return chat.WorkspacePass{}, nil
}
func (stubBackend) WorkspacePasses(context.Context) ([]chat.WorkspacePass, error) { return nil, nil }
func (stubBackend) ClosePass(context.Context, string) error                       { return nil }
func (stubBackend) RotateNetworkKey(context.Context) (chat.NetworkKeyState, error) {
	return chat.NetworkKeyState{Tag: "0a1b2c3d4e5f6789", Epoch: 3, Rotated: true}, nil
}
func (stubBackend) NetworkKeyState() chat.NetworkKeyState {
	return chat.NetworkKeyState{Tag: "0a1b2c3d4e5f6789"}
}
