package control

import (
	"context"
	"errors"
	"io"
	"math"
	"net/http"
	"net/url"
	"reflect"
	"strconv"
	"time"

	"hallway/chat"
	"hallway/core"
)

// none is the request or reply of an endpoint that carries nothing.
type none = struct{}

// The endpoint table. Each value is served by routes and called by the
// Client method of the same name.

var epSelf = define(&Endpoint[none, chat.Self]{Name: "id", Method: "GET", Path: "/v1/id", needs: resProfile,
	serve: func(ctx context.Context, b Backends, _ none) (chat.Self, error) { return b.Profile.Self(ctx) }})

var epSetStatus = define(&Endpoint[statusRequest, none]{Name: "status", Method: "POST", Path: "/v1/status", in: inJSON, needs: resProfile,
	serve: func(ctx context.Context, b Backends, r statusRequest) (none, error) {
		return none{}, b.Profile.SetStatus(ctx, r.Status, r.Text)
	}})

var epSetName = define(&Endpoint[nameRequest, none]{Name: "name", Method: "POST", Path: "/v1/name", in: inJSON, needs: resProfile,
	serve: func(ctx context.Context, b Backends, r nameRequest) (none, error) {
		return none{}, b.Profile.SetName(ctx, r.Name)
	}})

var epStats = define(&Endpoint[none, core.Stats]{Name: "stats", Method: "GET", Path: "/v1/stats", needs: resRuntime,
	serve: func(_ context.Context, b Backends, _ none) (core.Stats, error) { return b.Runtime.Stats(), nil }})

var epPeers = define(&Endpoint[none, []chat.Colleague]{Name: "peers", Method: "GET", Path: "/v1/peers", needs: resPeople,
	serve: func(ctx context.Context, b Backends, _ none) ([]chat.Colleague, error) { return b.People.Peers(ctx) }})

var epAddPeer = define(&Endpoint[addPeerRequest, chat.AddPeerResult]{Name: "peers_add", Method: "POST", Path: "/v1/peers", in: inJSON, needs: resPeople,
	serve: func(ctx context.Context, b Backends, r addPeerRequest) (chat.AddPeerResult, error) {
		return b.People.AddPeer(ctx, r.Addr)
	}})

var epBlocked = define(&Endpoint[none, []chat.Block]{Name: "blocks", Method: "GET", Path: "/v1/blocks", needs: resPeople,
	serve: func(ctx context.Context, b Backends, _ none) ([]chat.Block, error) {
		list, err := b.People.Blocked(ctx)
		if list == nil {
			list = []chat.Block{}
		}
		return list, err
	}})

var epBlock = define(&Endpoint[blockRequest, chat.Block]{Name: "blocks_add", Method: "POST", Path: "/v1/blocks", in: inJSON, needs: resPeople,
	serve: func(ctx context.Context, b Backends, r blockRequest) (chat.Block, error) {
		return b.People.Block(ctx, r.Peer, r.Reason)
	}})

var epUnblock = define(&Endpoint[blockRequest, chat.Block]{Name: "blocks_remove", Method: "POST", Path: "/v1/blocks/remove", in: inJSON, needs: resPeople,
	serve: func(ctx context.Context, b Backends, r blockRequest) (chat.Block, error) {
		return b.People.Unblock(ctx, r.Peer)
	}})

var epNearby = define(&Endpoint[none, []chat.NearbyWorkspace]{Name: "workspace_nearby", Method: "GET", Path: "/v1/workspace/nearby", needs: resPeople,
	serve: func(ctx context.Context, b Backends, _ none) ([]chat.NearbyWorkspace, error) {
		return b.People.NearbyWorkspaces(ctx)
	}})

var epSend = define(&Endpoint[sendRequest, chat.Message]{Name: "send", Method: "POST", Path: "/v1/send", in: inJSON, needs: resMessages,
	serve: func(ctx context.Context, b Backends, r sendRequest) (chat.Message, error) {
		return b.Messages.Send(ctx, r.Peer, r.Text)
	}})

var epAmend = define(&Endpoint[amendRequest, chat.Message]{Name: "messages_amend", Method: "POST", Path: "/v1/messages/amend", in: inJSON, needs: resMessages,
	serve: func(ctx context.Context, b Backends, r amendRequest) (chat.Message, error) {
		return b.Messages.Amend(ctx, chat.Kind(r.Kind), r.ID, r.Text)
	}})

var epDoctor = define(&Endpoint[doctorQuery, chat.Diagnosis]{Name: "doctor", Method: "GET", Path: "/v1/doctor", in: inQuery, needs: resPeople,
	query: func(q doctorQuery) url.Values {
		if q.Peer == "" {
			return url.Values{}
		}
		return url.Values{"peer": {q.Peer}}
	},
	parse: func(v url.Values) (doctorQuery, error) { return doctorQuery{Peer: v.Get("peer")}, nil },
	serve: func(ctx context.Context, b Backends, q doctorQuery) (chat.Diagnosis, error) {
		return b.People.Doctor(ctx, q.Peer)
	}})

// doctorQuery is the query of GET /v1/doctor: one colleague, or "" for all.
type doctorQuery struct{ Peer string }

var epHistory = define(&Endpoint[historyQuery, []chat.Message]{Name: "history", Method: "GET", Path: "/v1/history", in: inQuery, needs: resMessages,
	query: historyQuery.values, parse: parseHistoryQuery,
	serve: func(ctx context.Context, b Backends, q historyQuery) ([]chat.Message, error) {
		return b.Messages.History(ctx, q.Peer, q.Before, q.Limit)
	}})

// historyQuery is the query of GET /v1/history; zero before and limit are
// left out.
type historyQuery struct {
	Peer   string
	Before int64
	Limit  int
}

func (q historyQuery) values() url.Values {
	v := url.Values{"peer": {q.Peer}}
	if q.Before > 0 {
		v.Set("before", strconv.FormatInt(q.Before, 10))
	}
	if q.Limit > 0 {
		v.Set("limit", strconv.Itoa(q.Limit))
	}
	return v
}

func parseHistoryQuery(v url.Values) (historyQuery, error) {
	before, err1 := intParam(v.Get("before"))
	limit, err2 := intParam(v.Get("limit"))
	if err := errors.Join(err1, err2); err != nil {
		return historyQuery{}, errors.New("before and limit are whole numbers")
	}
	return historyQuery{Peer: v.Get("peer"), Before: before, Limit: int(limit)}, nil
}

func intParam(s string) (int64, error) {
	if s == "" {
		return 0, nil
	}
	return strconv.ParseInt(s, 10, 64)
}

// epEvents is the event stream: one WireEvent per line until the client
// leaves. It is served by streamEvents and read by Client.Events.
var epEvents = defineEvents(Route{Name: "events", Method: "GET", Path: "/v1/events", Kind: "events", needs: resEvents,
	Request: reflect.TypeFor[none](), Response: reflect.TypeFor[WireEvent](),
	handler: func(b Backends) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) { streamEvents(w, r, b.Events) }
	}})

func defineEvents(r Route) Route {
	table = append(table, r)
	return r
}

// roomQuery is the query of the room endpoints read with GET.
type roomQuery struct{ Room string }

func (q roomQuery) values() url.Values { return url.Values{"room": {q.Room}} }

func parseRoomQuery(v url.Values) (roomQuery, error) { return roomQuery{Room: v.Get("room")}, nil }

var epRooms = define(&Endpoint[none, []chat.Room]{Name: "rooms", Method: "GET", Path: "/v1/rooms", needs: resRooms,
	serve: func(ctx context.Context, b Backends, _ none) ([]chat.Room, error) { return b.Rooms.Rooms(ctx) }})

var epCreateRoom = define(&Endpoint[roomRequest, chat.Room]{Name: "rooms_create", Method: "POST", Path: "/v1/rooms", in: inJSON, needs: resRooms,
	serve: func(ctx context.Context, b Backends, r roomRequest) (chat.Room, error) {
		return b.Rooms.CreateRoom(ctx, r.Name)
	}})

var epJoinRoom = define(&Endpoint[roomRequest, chat.Room]{Name: "rooms_join", Method: "POST", Path: "/v1/rooms/join", in: inJSON, needs: resRooms,
	serve: func(ctx context.Context, b Backends, r roomRequest) (chat.Room, error) {
		return b.Rooms.JoinRoomCode(ctx, r.Code)
	}})

var epLeaveRoom = define(&Endpoint[roomRequest, none]{Name: "rooms_leave", Method: "POST", Path: "/v1/rooms/leave", in: inJSON, needs: resRooms,
	serve: func(ctx context.Context, b Backends, r roomRequest) (none, error) {
		return none{}, b.Rooms.LeaveRoom(ctx, r.Room)
	}})

var epInviteToRoom = define(&Endpoint[roomRequest, chat.Message]{Name: "rooms_invite", Method: "POST", Path: "/v1/rooms/invite", in: inJSON, needs: resRooms,
	serve: func(ctx context.Context, b Backends, r roomRequest) (chat.Message, error) {
		return b.Rooms.InviteToRoom(ctx, r.Room, r.Peer)
	}})

var epRemoveFromRoom = define(&Endpoint[roomRequest, none]{Name: "rooms_remove", Method: "POST", Path: "/v1/rooms/remove", in: inJSON, needs: resRooms,
	serve: func(ctx context.Context, b Backends, r roomRequest) (none, error) {
		return none{}, b.Rooms.RemoveFromRoom(ctx, r.Room, r.Peer)
	}})

var epSetRoomRole = define(&Endpoint[roomRequest, none]{Name: "rooms_role", Method: "POST", Path: "/v1/rooms/role", in: inJSON, needs: resRooms,
	serve: func(ctx context.Context, b Backends, r roomRequest) (none, error) {
		return none{}, b.Rooms.SetRoomRole(ctx, r.Room, r.Peer, r.Role)
	}})

var epRoomInvitations = define(&Endpoint[none, []chat.RoomInvitation]{Name: "rooms_invites", Method: "GET", Path: "/v1/rooms/invites", needs: resRooms,
	serve: func(ctx context.Context, b Backends, _ none) ([]chat.RoomInvitation, error) {
		return b.Rooms.RoomInvitations(ctx)
	}})

var epAcceptInvitation = define(&Endpoint[roomRequest, chat.Room]{Name: "rooms_accept", Method: "POST", Path: "/v1/rooms/invites/accept", in: inJSON, needs: resRooms,
	serve: func(ctx context.Context, b Backends, r roomRequest) (chat.Room, error) {
		return b.Rooms.AcceptRoomInvitation(ctx, r.Invitation)
	}})

var epDeclineInvitation = define(&Endpoint[roomRequest, none]{Name: "rooms_decline", Method: "POST", Path: "/v1/rooms/invites/decline", in: inJSON, needs: resRooms,
	serve: func(ctx context.Context, b Backends, r roomRequest) (none, error) {
		return none{}, b.Rooms.DeclineRoomInvitation(ctx, r.Invitation)
	}})

var epSendRoom = define(&Endpoint[roomRequest, chat.Message]{Name: "rooms_send", Method: "POST", Path: "/v1/rooms/send", in: inJSON, needs: resRooms,
	serve: func(ctx context.Context, b Backends, r roomRequest) (chat.Message, error) {
		return b.Rooms.SendRoom(ctx, r.Room, r.Text)
	}})

var epRoomCode = define(&Endpoint[codeRequest, chat.RoomCode]{Name: "rooms_code", Method: "POST", Path: "/v1/rooms/code", in: inJSON, needs: resRooms,
	serve: func(ctx context.Context, b Backends, r codeRequest) (chat.RoomCode, error) {
		if r.ExpireSeconds < 0 || r.ExpireSeconds > math.MaxInt64/int64(time.Second) {
			return chat.RoomCode{}, chat.UserErrorf("bad expiry: %d seconds", r.ExpireSeconds)
		}
		return b.Rooms.IssueRoomCode(ctx, r.Room, time.Duration(r.ExpireSeconds)*time.Second, r.Uses)
	}})

var epRevokeRoomCode = define(&Endpoint[codeRequest, none]{Name: "rooms_code_revoke", Method: "POST", Path: "/v1/rooms/code/revoke", in: inJSON, needs: resRooms,
	serve: func(ctx context.Context, b Backends, r codeRequest) (none, error) {
		return none{}, b.Rooms.RevokeRoomCode(ctx, r.Room, r.Code)
	}})

var epRoomMembers = define(&Endpoint[roomQuery, []chat.RoomMember]{Name: "rooms_members", Method: "GET", Path: "/v1/rooms/members", in: inQuery, needs: resRooms,
	query: roomQuery.values, parse: parseRoomQuery,
	serve: func(ctx context.Context, b Backends, q roomQuery) ([]chat.RoomMember, error) {
		return b.Rooms.RoomMembers(ctx, q.Room)
	}})

var epTransfers = define(&Endpoint[none, []chat.Transfer]{Name: "transfers", Method: "GET", Path: "/v1/transfers", needs: resFiles,
	serve: func(ctx context.Context, b Backends, _ none) ([]chat.Transfer, error) { return b.Files.Transfers(ctx) }})

var epSendFile = define(&Endpoint[fileRequest, chat.Transfer]{Name: "files_send", Method: "POST", Path: "/v1/files/send", in: inJSON, needs: resFiles,
	serve: func(ctx context.Context, b Backends, r fileRequest) (chat.Transfer, error) {
		if r.ExpireSeconds < 0 || r.ExpireSeconds > math.MaxInt64/int64(time.Second) {
			return chat.Transfer{}, chat.UserErrorf("bad expiry: %d seconds", r.ExpireSeconds)
		}
		return b.Files.SendFile(ctx, r.Peer, r.Path, time.Duration(r.ExpireSeconds)*time.Second)
	}})

var epAcceptFile = define(&Endpoint[fileRequest, chat.Transfer]{Name: "files_accept", Method: "POST", Path: "/v1/files/accept", in: inJSON, needs: resFiles,
	serve: func(ctx context.Context, b Backends, r fileRequest) (chat.Transfer, error) {
		return b.Files.AcceptTransfer(ctx, r.ID, r.To)
	}})

var epDeclineFile = define(&Endpoint[fileRequest, none]{Name: "files_decline", Method: "POST", Path: "/v1/files/decline", in: inJSON, needs: resFiles,
	serve: func(ctx context.Context, b Backends, r fileRequest) (none, error) {
		return none{}, b.Files.DeclineTransfer(ctx, r.ID)
	}})

var epCancelFile = define(&Endpoint[fileRequest, none]{Name: "files_cancel", Method: "POST", Path: "/v1/files/cancel", in: inJSON, needs: resFiles,
	serve: func(ctx context.Context, b Backends, r fileRequest) (none, error) {
		return none{}, b.Files.CancelTransfer(ctx, r.ID)
	}})

var epUnshareFile = define(&Endpoint[fileRequest, none]{Name: "files_unshare", Method: "POST", Path: "/v1/files/unshare", in: inJSON, needs: resFiles,
	serve: func(ctx context.Context, b Backends, r fileRequest) (none, error) {
		return none{}, b.Files.UnshareTransfer(ctx, r.ID)
	}})

// peerQuery is the query of GET /v1/trust for one colleague.
type peerQuery struct{ Peer string }

var epTrusts = define(&Endpoint[none, map[string]chat.Trust]{Name: "trust", Method: "GET", Path: "/v1/trust", needs: resTrust,
	serve: func(ctx context.Context, b Backends, _ none) (map[string]chat.Trust, error) {
		return b.Trust.Trusts(ctx)
	}})

var epTrustOf = define(&Endpoint[peerQuery, chat.Trust]{Name: "trust_of", Method: "GET", Path: "/v1/trust", in: inQuery, needs: resTrust,
	query: func(q peerQuery) url.Values { return url.Values{"peer": {q.Peer}} },
	parse: func(v url.Values) (peerQuery, error) { return peerQuery{Peer: v.Get("peer")}, nil },
	when:  func(v url.Values) bool { return v.Get("peer") != "" },
	serve: func(ctx context.Context, b Backends, q peerQuery) (chat.Trust, error) {
		return b.Trust.TrustOf(ctx, q.Peer)
	}})

var epVerify = define(&Endpoint[trustRequest, chat.Trust]{Name: "trust_verify", Method: "POST", Path: "/v1/trust/verify", in: inJSON, needs: resTrust,
	serve: func(ctx context.Context, b Backends, r trustRequest) (chat.Trust, error) {
		return b.Trust.Verify(ctx, r.Peer, r.Verified == nil || *r.Verified)
	}})

var epSetLabel = define(&Endpoint[trustRequest, chat.Trust]{Name: "trust_label", Method: "POST", Path: "/v1/trust/label", in: inJSON, needs: resTrust,
	serve: func(ctx context.Context, b Backends, r trustRequest) (chat.Trust, error) {
		return b.Trust.SetLabel(ctx, r.Peer, r.Label)
	}})

var epPrefs = define(&Endpoint[none, chat.Prefs]{Name: "prefs", Method: "GET", Path: "/v1/prefs", needs: resTrust,
	serve: func(ctx context.Context, b Backends, _ none) (chat.Prefs, error) { return b.Trust.Prefs(ctx) }})

var epMute = define(&Endpoint[muteRequest, chat.Mute]{Name: "mute", Method: "POST", Path: "/v1/mute", in: inJSON, needs: resTrust,
	serve: func(ctx context.Context, b Backends, r muteRequest) (chat.Mute, error) {
		return b.Trust.Mute(ctx, r.Conversation, chat.NotifyLevel(r.Level), r.Until)
	}})

// epDoNotDisturb replies with the preferences it saved.
var epDoNotDisturb = define(&Endpoint[dndRequest, chat.Prefs]{Name: "dnd", Method: "POST", Path: "/v1/dnd", in: inJSON, needs: resTrust,
	serve: func(ctx context.Context, b Backends, r dndRequest) (chat.Prefs, error) {
		if err := b.Trust.DoNotDisturb(ctx, r.Until); err != nil {
			return chat.Prefs{}, err
		}
		return b.Trust.Prefs(ctx)
	}})

// epSetPrefs replies with the preferences it saved.
var epSetPrefs = define(&Endpoint[chat.Prefs, chat.Prefs]{Name: "prefs_set", Method: "POST", Path: "/v1/prefs", in: inJSON, needs: resTrust,
	serve: func(ctx context.Context, b Backends, p chat.Prefs) (chat.Prefs, error) {
		return p, b.Trust.SetPrefs(ctx, p)
	}})

var epSearch = define(&Endpoint[chat.SearchQuery, []chat.SearchHit]{Name: "search", Method: "GET", Path: "/v1/search", in: inQuery, needs: resArchive,
	query: searchValues, parse: searchQuery,
	serve: func(ctx context.Context, b Backends, q chat.SearchQuery) ([]chat.SearchHit, error) {
		hits, err := b.Archive.Search(ctx, q)
		if hits == nil {
			hits = []chat.SearchHit{}
		}
		return hits, err
	}})

var epExport = defineStream(&StreamEndpoint[exportRequest, core.ExportSummary]{Name: "export", Method: "POST", Path: "/v1/export", in: inJSON, needs: resArchive,
	contentType: func(r exportRequest) string {
		if r.Format == core.ExportHTML {
			return "text/html; charset=utf-8"
		}
		return "application/json"
	},
	serve: func(ctx context.Context, b Backends, r exportRequest, w io.Writer) (core.ExportSummary, error) {
		return b.Archive.Export(ctx, core.ExportOptions{Format: r.Format, In: r.In, Since: r.Since, Until: r.Until}, w)
	}})

var epBackup = defineStream(&StreamEndpoint[none, core.BackupInfo]{Name: "backup", Method: "POST", Path: "/v1/backup", needs: resArchive,
	contentType: func(none) string { return "application/gzip" },
	serve: func(ctx context.Context, b Backends, _ none, w io.Writer) (core.BackupInfo, error) {
		return b.Archive.Backup(ctx, w)
	}})

var epRetention = define(&Endpoint[none, core.RetentionStatus]{Name: "retention", Method: "GET", Path: "/v1/retention", needs: resRetention,
	serve: func(ctx context.Context, b Backends, _ none) (core.RetentionStatus, error) {
		return b.Retention.Retention(ctx)
	}})

var epSetRetention = define(&Endpoint[retentionRequest, core.RetentionStatus]{Name: "retention_set", Method: "POST", Path: "/v1/retention", in: inJSON, needs: resRetention,
	serve: func(ctx context.Context, b Backends, r retentionRequest) (core.RetentionStatus, error) {
		days := r.Days
		if r.Inherit {
			days = core.RetentionInherit
		}
		return b.Retention.SetRetention(ctx, r.In, days)
	}})

var epPlaceHold = define(&Endpoint[holdRequest, core.LegalHold]{Name: "retention_hold", Method: "POST", Path: "/v1/retention/hold", in: inJSON, needs: resRetention,
	serve: func(ctx context.Context, b Backends, r holdRequest) (core.LegalHold, error) {
		return b.Retention.PlaceHold(ctx, r.In, r.Reason)
	}})

var epReleaseHold = define(&Endpoint[holdRequest, core.LegalHold]{Name: "retention_release", Method: "POST", Path: "/v1/retention/release", in: inJSON, needs: resRetention,
	serve: func(ctx context.Context, b Backends, r holdRequest) (core.LegalHold, error) {
		return b.Retention.ReleaseHold(ctx, r.ID)
	}})

var epApplyRetention = define(&Endpoint[none, chat.SweepResult]{Name: "retention_apply", Method: "POST", Path: "/v1/retention/apply", needs: resRetention,
	serve: func(ctx context.Context, b Backends, _ none) (chat.SweepResult, error) {
		return b.Retention.ApplyRetention(ctx)
	}})
