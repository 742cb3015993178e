package control

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"reflect"
	"time"

	"hallway/chat"
	"hallway/core"
)

// fill returns a T with every exported field set to a deterministic,
// non-zero value: strings name their field, numbers count up, times step
// from a fixed date, slices and maps hold one element. Golden files of
// such values show every JSON field, so a renamed tag changes them.
func fill[T any]() T {
	var v T
	n := 0
	fillValue(reflect.ValueOf(&v).Elem(), reflect.TypeFor[T]().Name(), &n)
	return v
}

// fillOf is fill for a type known at run time.
func fillOf(t reflect.Type) any {
	v := reflect.New(t).Elem()
	n := 0
	fillValue(v, t.Name(), &n)
	return v.Interface()
}

var timeType = reflect.TypeFor[time.Time]()

func fillValue(v reflect.Value, path string, n *int) {
	switch v.Kind() {
	case reflect.String:
		v.SetString(path)
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		*n++
		v.SetInt(int64(*n))
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		*n++
		v.SetUint(uint64(*n))
	case reflect.Float32, reflect.Float64:
		*n++
		v.SetFloat(float64(*n) + 0.5)
	case reflect.Struct:
		if v.Type() == timeType {
			*n++
			v.Set(reflect.ValueOf(time.Date(2026, 3, 1, 9, 0, *n, 0, time.UTC)))
			return
		}
		for i := range v.NumField() {
			if f := v.Type().Field(i); f.IsExported() {
				fillValue(v.Field(i), path+"."+f.Name, n)
			}
		}
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		fillValue(v.Elem(), path, n)
	case reflect.Slice:
		v.Set(reflect.MakeSlice(v.Type(), 1, 1))
		fillValue(v.Index(0), path+"[0]", n)
	case reflect.Array:
		for i := range v.Len() {
			fillValue(v.Index(i), fmt.Sprintf("%s[%d]", path, i), n)
		}
	case reflect.Map:
		k := reflect.New(v.Type().Key()).Elem()
		fillValue(k, path+".key", n)
		e := reflect.New(v.Type().Elem()).Elem()
		fillValue(e, path+".value", n)
		v.Set(reflect.MakeMap(v.Type()))
		v.SetMapIndex(k, e)
	}
}

// fixtureEvents is one event of every type the stream carries.
func fixtureEvents() []chat.Event {
	return []chat.Event{
		chat.PeerOnline{Peer: fill[chat.Colleague]()},
		chat.PeerOffline{Peer: fill[chat.Colleague]()},
		chat.PeerUpdated{Peer: fill[chat.Colleague]()},
		chat.MessageReceived{Message: fill[chat.Message]()},
		chat.MessageSent{Message: fill[chat.Message]()},
		chat.MessageDelivered{Message: fill[chat.Message]()},
		chat.ProfileChanged{Self: fill[chat.Self]()},
		chat.RoomChanged{Room: fill[chat.Room](), Left: true},
		chat.InvitationChanged{Invitation: fill[chat.RoomInvitation]()},
		chat.TransferChanged{Transfer: fill[chat.Transfer]()},
		chat.TrustChanged{Trust: fill[chat.Trust]()},
		chat.NameWarningRaised{Warning: fill[chat.NameWarning]()},
		chat.PrefsChanged{Prefs: fill[chat.Prefs]()},
		chat.HistoryExpired{Result: fill[chat.SweepResult]()},
		chat.NearbyChanged{Workspaces: fill[[]chat.NearbyWorkspace]()},
		chat.RoomForked{Fork: fill[chat.RoomFork]()},
		chat.ReceiptsChanged{Room: "r0123456789abcdef"},
		chat.PolicyChanged{Policy: filledPolicy()},
		chat.MessagesRead{Read: fill[chat.ReadMark]()},
		chat.TypingChanged{Typing: fill[chat.TypingSignal]()},
		chat.Lagged{Missed: 3},
	}
}

// fixture answers every call with a filled value.
type fixture struct{}

func (fixture) Self(context.Context) (chat.Self, error)         { return fill[chat.Self](), nil }
func (fixture) SetStatus(context.Context, string, string) error { return nil }
func (fixture) SetName(context.Context, string) error           { return nil }
func (fixture) Stats() core.Stats                               { return fill[core.Stats]() }
func (fixture) Peers(context.Context) ([]chat.Colleague, error) {
	return fill[[]chat.Colleague](), nil
}
func (fixture) Doctor(context.Context, string) (chat.Diagnosis, error) {
	return fill[chat.Diagnosis](), nil
}
func (fixture) AddPeer(context.Context, string) (chat.AddPeerResult, error) {
	return fill[chat.AddPeerResult](), nil
}
func (fixture) Block(context.Context, string, string) (chat.Block, error) {
	return fill[chat.Block](), nil
}
func (fixture) Unblock(context.Context, string) (chat.Block, error) { return fill[chat.Block](), nil }
func (fixture) Blocked(context.Context) ([]chat.Block, error)       { return fill[[]chat.Block](), nil }
func (fixture) NearbyWorkspaces(context.Context) ([]chat.NearbyWorkspace, error) {
	return fill[[]chat.NearbyWorkspace](), nil
}
func (fixture) Send(context.Context, string, string) (chat.Message, error) {
	return fill[chat.Message](), nil
}
func (fixture) Mute(context.Context, string, chat.NotifyLevel, time.Time) (chat.Mute, error) {
	return chat.Mute{Conversation: "room:r1", Level: chat.NotifyMentions}, nil
}
func (fixture) DoNotDisturb(context.Context, time.Time) error { return nil }
func (fixture) Amend(context.Context, chat.Kind, string, string) (chat.Message, error) {
	return fill[chat.Message](), nil
}
func (fixture) History(context.Context, string, int64, int) ([]chat.Message, error) {
	return fill[[]chat.Message](), nil
}
func (fixture) Subscribe(context.Context) <-chan chat.Event {
	evs := fixtureEvents()
	c := make(chan chat.Event, len(evs))
	for _, e := range evs {
		c <- e
	}
	close(c)
	return c
}
func (fixture) Rooms(context.Context) ([]chat.Room, error) { return fill[[]chat.Room](), nil }
func (fixture) CreateRoom(context.Context, string) (chat.Room, error) {
	return fill[chat.Room](), nil
}
func (fixture) JoinRoomCode(context.Context, string) (chat.Room, error) {
	return fill[chat.Room](), nil
}
func (fixture) LeaveRoom(context.Context, string) error { return nil }
func (fixture) RoomInvitations(context.Context) ([]chat.RoomInvitation, error) {
	return fill[[]chat.RoomInvitation](), nil
}
func (fixture) AcceptRoomInvitation(context.Context, string) (chat.Room, error) {
	return fill[chat.Room](), nil
}
func (fixture) DeclineRoomInvitation(context.Context, string) error { return nil }
func (fixture) InviteToRoom(context.Context, string, string) (chat.Message, error) {
	return fill[chat.Message](), nil
}
func (fixture) IssueRoomCode(context.Context, string, time.Duration, int) (chat.RoomCode, error) {
	return fill[chat.RoomCode](), nil
}
func (fixture) RevokeRoomCode(context.Context, string, string) error { return nil }
func (fixture) RoomMembers(context.Context, string) ([]chat.RoomMember, error) {
	return fill[[]chat.RoomMember](), nil
}
func (fixture) RemoveFromRoom(context.Context, string, string) error      { return nil }
func (fixture) SetRoomRole(context.Context, string, string, string) error { return nil }
func (fixture) SendRoom(context.Context, string, string) (chat.Message, error) {
	return fill[chat.Message](), nil
}
func (fixture) Transfers(context.Context) ([]chat.Transfer, error) {
	return fill[[]chat.Transfer](), nil
}
func (fixture) SendFile(context.Context, string, string, time.Duration) (chat.Transfer, error) {
	return fill[chat.Transfer](), nil
}
func (fixture) AcceptTransfer(context.Context, string, string) (chat.Transfer, error) {
	return fill[chat.Transfer](), nil
}
func (fixture) DeclineTransfer(context.Context, string) error { return nil }
func (fixture) CancelTransfer(context.Context, string) error  { return nil }
func (fixture) UnshareTransfer(context.Context, string) error { return nil }
func (fixture) Trusts(context.Context) (map[string]chat.Trust, error) {
	return fill[map[string]chat.Trust](), nil
}
func (fixture) TrustOf(context.Context, string) (chat.Trust, error) { return fill[chat.Trust](), nil }
func (fixture) Verify(context.Context, string, bool) (chat.Trust, error) {
	return fill[chat.Trust](), nil
}
func (fixture) SetLabel(context.Context, string, string) (chat.Trust, error) {
	return fill[chat.Trust](), nil
}
func (fixture) Prefs(context.Context) (chat.Prefs, error)  { return fill[chat.Prefs](), nil }
func (fixture) SetPrefs(context.Context, chat.Prefs) error { return nil }
func (fixture) Search(context.Context, chat.SearchQuery) ([]chat.SearchHit, error) {
	return fill[[]chat.SearchHit](), nil
}
func (fixture) Export(_ context.Context, _ core.ExportOptions, w io.Writer) (core.ExportSummary, error) {
	io.WriteString(w, "export bytes")
	return fill[core.ExportSummary](), nil
}
func (fixture) Backup(_ context.Context, w io.Writer) (core.BackupInfo, error) {
	io.WriteString(w, "backup bytes")
	return fill[core.BackupInfo](), nil
}
func (fixture) Retention(context.Context) (core.RetentionStatus, error) {
	return fill[core.RetentionStatus](), nil
}
func (fixture) SetRetention(context.Context, string, int) (core.RetentionStatus, error) {
	return fill[core.RetentionStatus](), nil
}
func (fixture) PlaceHold(context.Context, string, string) (core.LegalHold, error) {
	return fill[core.LegalHold](), nil
}
func (fixture) ReleaseHold(context.Context, string) (core.LegalHold, error) {
	return fill[core.LegalHold](), nil
}
func (fixture) ApplyRetention(context.Context) (chat.SweepResult, error) {
	return fill[chat.SweepResult](), nil
}

func (fixture) SwitchWorkspace(context.Context, WorkspaceRequest) (WorkspaceState, error) {
	return fill[WorkspaceState](), nil
}

var _ Backend = fixture{}

// fixtureBackends serves every route of the table from fixture.
func fixtureBackends() Backends {
	b := BackendsOf(fixture{})
	b.Workspace = fixture{}
	return b
}

func (fixture) WorkspaceMembers(context.Context) ([]chat.RoomMember, error) {
	return []chat.RoomMember{fill[chat.RoomMember]()}, nil
}
func (fixture) SetWorkspaceAdmin(context.Context, string, bool) error            { return nil }
func (fixture) RevokeMember(context.Context, string) error                       { return nil }
func (fixture) AdmitMember(context.Context, string, string, time.Duration) error { return nil }
func (fixture) Policy(context.Context) (chat.Policy, error)                      { return filledPolicy(), nil }
func (fixture) SetPolicy(context.Context, string, string) (chat.Policy, error) {
	return filledPolicy(), nil
}
func (fixture) PolicyHistory(context.Context) ([]chat.Policy, error) {
	return []chat.Policy{filledPolicy()}, nil
}

// filledPolicy is a filled policy whose document is one.
func filledPolicy() chat.Policy {
	p := fill[chat.Policy]()
	p.Document = json.RawMessage(`{"version":1,"files":{"blocked":[".exe"]}}`)
	return p
}

func (fixture) AcknowledgeNotice(context.Context) (chat.Policy, error) { return filledPolicy(), nil }

func (fixture) OpenPass(context.Context, int, time.Duration) (chat.WorkspacePass, error) {
	return fill[chat.WorkspacePass](), nil
}
func (fixture) WorkspacePasses(context.Context) ([]chat.WorkspacePass, error) {
	return []chat.WorkspacePass{fill[chat.WorkspacePass]()}, nil
}
func (fixture) ClosePass(context.Context, string) error { return nil }
func (fixture) RotateNetworkKey(context.Context) (chat.NetworkKeyState, error) {
	return chat.NetworkKeyState{Tag: "0a1b2c3d4e5f6789", Epoch: 3, Rotated: true,
		GraceUntil: []time.Time{time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)}}, nil
}
func (fixture) NetworkKeyState() chat.NetworkKeyState {
	return chat.NetworkKeyState{Tag: "0a1b2c3d4e5f6789", Epoch: 3, Rotated: true,
		GraceUntil: []time.Time{time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)}}
}
