package control

import (
	"context"
	"io"
	"time"

	"hallway/chat"
	"hallway/core"
)

// The Client's calls, one per endpoint of the table.

// Self describes the running node.
func (c *Client) Self(ctx context.Context) (chat.Self, error) { return call(ctx, c, epSelf, none{}) }

// SetStatus changes presence.
func (c *Client) SetStatus(ctx context.Context, status, text string) error {
	_, err := call(ctx, c, epSetStatus, statusRequest{Status: status, Text: text})
	return err
}

// SetName changes the display name.
func (c *Client) SetName(ctx context.Context, name string) error {
	_, err := call(ctx, c, epSetName, nameRequest{Name: name})
	return err
}

// Stats reads the running node's runtime and network counters.
func (c *Client) Stats(ctx context.Context) (core.Stats, error) { return call(ctx, c, epStats, none{}) }

// Peers lists colleagues.
func (c *Client) Peers(ctx context.Context) ([]chat.Colleague, error) {
	return call(ctx, c, epPeers, none{})
}

// Doctor says why colleagues (or the one peer names, "" for all) are or
// are not reachable.
func (c *Client) Doctor(ctx context.Context, peer string) (chat.Diagnosis, error) {
	return call(ctx, c, epDoctor, doctorQuery{Peer: peer})
}

// AddPeer saves a colleague's address and tries to connect.
func (c *Client) AddPeer(ctx context.Context, addr string) (chat.AddPeerResult, error) {
	return call(ctx, c, epAddPeer, addPeerRequest{Addr: addr})
}

// Blocked lists the blocked colleagues.
func (c *Client) Blocked(ctx context.Context) ([]chat.Block, error) {
	return call(ctx, c, epBlocked, none{})
}

// Block blocks a colleague, with the user's reason ("" for none).
func (c *Client) Block(ctx context.Context, peer, reason string) (chat.Block, error) {
	return call(ctx, c, epBlock, blockRequest{Peer: peer, Reason: reason})
}

// Unblock lets a blocked colleague back.
func (c *Client) Unblock(ctx context.Context, peer string) (chat.Block, error) {
	return call(ctx, c, epUnblock, blockRequest{Peer: peer})
}

// NearbyWorkspaces lists the other workspaces seen on the network.
func (c *Client) NearbyWorkspaces(ctx context.Context) ([]chat.NearbyWorkspace, error) {
	return call(ctx, c, epNearby, none{})
}

// Send sends a direct message.
func (c *Client) Send(ctx context.Context, peer, text string) (chat.Message, error) {
	return call(ctx, c, epSend, sendRequest{Peer: peer, Text: text})
}

// Amend replies to, edits, deletes or reacts to (kind) the message with
// id; text is the reply's or the edit's text, or the emoji.
func (c *Client) Amend(ctx context.Context, kind chat.Kind, id, text string) (chat.Message, error) {
	return call(ctx, c, epAmend, amendRequest{Kind: string(kind), ID: id, Text: text})
}

// Mute sets a conversation's notification level until a time (zero:
// until changed).
func (c *Client) Mute(ctx context.Context, conv string, level chat.NotifyLevel, until time.Time) (chat.Mute, error) {
	return call(ctx, c, epMute, muteRequest{Conversation: conv, Level: string(level), Until: until})
}

// DoNotDisturb silences notifications until a time (zero: ends it) and
// returns the preferences saved.
func (c *Client) DoNotDisturb(ctx context.Context, until time.Time) (chat.Prefs, error) {
	return call(ctx, c, epDoNotDisturb, dndRequest{Until: until})
}

// History reads a conversation with a colleague.
func (c *Client) History(ctx context.Context, peer string, before int64, limit int) ([]chat.Message, error) {
	return call(ctx, c, epHistory, historyQuery{Peer: peer, Before: before, Limit: limit})
}

// Rooms lists the rooms this node is in.
func (c *Client) Rooms(ctx context.Context) ([]chat.Room, error) {
	return call(ctx, c, epRooms, none{})
}

// CreateRoom makes a new room.
func (c *Client) CreateRoom(ctx context.Context, name string) (chat.Room, error) {
	return call(ctx, c, epCreateRoom, roomRequest{Name: name})
}

// JoinRoomCode joins a room with an invite code.
func (c *Client) JoinRoomCode(ctx context.Context, code string) (chat.Room, error) {
	return call(ctx, c, epJoinRoom, roomRequest{Code: code})
}

// LeaveRoom leaves a room.
func (c *Client) LeaveRoom(ctx context.Context, room string) error {
	_, err := call(ctx, c, epLeaveRoom, roomRequest{Room: room})
	return err
}

// InviteToRoom invites a colleague into a room.
func (c *Client) InviteToRoom(ctx context.Context, room, peer string) (chat.Message, error) {
	return call(ctx, c, epInviteToRoom, roomRequest{Room: room, Peer: peer})
}

// RemoveFromRoom removes a member from a room.
func (c *Client) RemoveFromRoom(ctx context.Context, room, peer string) error {
	_, err := call(ctx, c, epRemoveFromRoom, roomRequest{Room: room, Peer: peer})
	return err
}

// SetRoomRole makes a member of a room an admin or a member again.
func (c *Client) SetRoomRole(ctx context.Context, room, peer, role string) error {
	_, err := call(ctx, c, epSetRoomRole, roomRequest{Room: room, Peer: peer, Role: role})
	return err
}

// SendRoom posts to a room.
func (c *Client) SendRoom(ctx context.Context, room, text string) (chat.Message, error) {
	return call(ctx, c, epSendRoom, roomRequest{Room: room, Text: text})
}

// RoomInvitations lists the invitations waiting for the user's consent.
func (c *Client) RoomInvitations(ctx context.Context) ([]chat.RoomInvitation, error) {
	return call(ctx, c, epRoomInvitations, none{})
}

// AcceptRoomInvitation joins the room of a pending invitation.
func (c *Client) AcceptRoomInvitation(ctx context.Context, id string) (chat.Room, error) {
	return call(ctx, c, epAcceptInvitation, roomRequest{Invitation: id})
}

// DeclineRoomInvitation drops a pending invitation and its room key.
func (c *Client) DeclineRoomInvitation(ctx context.Context, id string) error {
	_, err := call(ctx, c, epDeclineInvitation, roomRequest{Invitation: id})
	return err
}

// RoomInviteCode issues a room code with the default expiry and any
// number of uses.
func (c *Client) RoomInviteCode(ctx context.Context, room string) (string, error) {
	v, err := c.IssueRoomCode(ctx, room, 0, 0)
	return v.Code, err
}

// IssueRoomCode issues a room code lasting expires (0: the default, 24 h,
// rounded to seconds) for uses colleagues (0: any number).
func (c *Client) IssueRoomCode(ctx context.Context, room string, expires time.Duration, uses int) (chat.RoomCode, error) {
	return call(ctx, c, epRoomCode, codeRequest{Room: room, ExpireSeconds: int64(expires / time.Second), Uses: uses})
}

// RevokeRoomCode withdraws a code of the room, or every code with "".
func (c *Client) RevokeRoomCode(ctx context.Context, room, code string) error {
	_, err := call(ctx, c, epRevokeRoomCode, codeRequest{Room: room, Code: code})
	return err
}

// RoomMembers lists a room's members with presence.
func (c *Client) RoomMembers(ctx context.Context, room string) ([]chat.RoomMember, error) {
	return call(ctx, c, epRoomMembers, roomQuery{Room: room})
}

// Transfers lists file transfers.
func (c *Client) Transfers(ctx context.Context) ([]chat.Transfer, error) {
	return call(ctx, c, epTransfers, none{})
}

// SendFile offers a file or folder to a colleague or #room, served for
// expire (0: the default; whole seconds).
func (c *Client) SendFile(ctx context.Context, peer, path string, expire time.Duration) (chat.Transfer, error) {
	return call(ctx, c, epSendFile, fileRequest{Peer: peer, Path: path, ExpireSeconds: int64(expire / time.Second)})
}

// AcceptTransfer accepts an offer, into dir ("" = the downloads folder).
func (c *Client) AcceptTransfer(ctx context.Context, id, dir string) (chat.Transfer, error) {
	return call(ctx, c, epAcceptFile, fileRequest{ID: id, To: dir})
}

// DeclineTransfer refuses an offer.
func (c *Client) DeclineTransfer(ctx context.Context, id string) error {
	_, err := call(ctx, c, epDeclineFile, fileRequest{ID: id})
	return err
}

// CancelTransfer withdraws an offer or stops a download.
func (c *Client) CancelTransfer(ctx context.Context, id string) error {
	_, err := call(ctx, c, epCancelFile, fileRequest{ID: id})
	return err
}

// UnshareTransfer stops serving a transfer's content at once.
func (c *Client) UnshareTransfer(ctx context.Context, id string) error {
	_, err := call(ctx, c, epUnshareFile, fileRequest{ID: id})
	return err
}

// Trusts lists every colleague's trust by peer ID.
func (c *Client) Trusts(ctx context.Context) (map[string]chat.Trust, error) {
	return call(ctx, c, epTrusts, none{})
}

// TrustOf describes one colleague's trust and safety number.
func (c *Client) TrustOf(ctx context.Context, peer string) (chat.Trust, error) {
	return call(ctx, c, epTrustOf, peerQuery{Peer: peer})
}

// Verify marks a colleague verified (or takes it back).
func (c *Client) Verify(ctx context.Context, peer string, verified bool) (chat.Trust, error) {
	return call(ctx, c, epVerify, trustRequest{Peer: peer, Verified: &verified})
}

// SetLabel files a colleague under a label ("" removes it).
func (c *Client) SetLabel(ctx context.Context, peer, label string) (chat.Trust, error) {
	return call(ctx, c, epSetLabel, trustRequest{Peer: peer, Label: label})
}

// Prefs reads the preferences.
func (c *Client) Prefs(ctx context.Context) (chat.Prefs, error) { return call(ctx, c, epPrefs, none{}) }

// SetPrefs saves the preferences.
func (c *Client) SetPrefs(ctx context.Context, p chat.Prefs) error {
	_, err := call(ctx, c, epSetPrefs, p)
	return err
}

// Search finds messages.
func (c *Client) Search(ctx context.Context, q chat.SearchQuery) ([]chat.SearchHit, error) {
	return call(ctx, c, epSearch, q)
}

// Export writes an export to out.
func (c *Client) Export(ctx context.Context, opt core.ExportOptions, out io.Writer) (core.ExportSummary, error) {
	req := exportRequest{Format: opt.Format, In: opt.In, Since: opt.Since, Until: opt.Until}
	return callStream(ctx, c, epExport, req, out)
}

// Backup writes a backup of the running node to out.
func (c *Client) Backup(ctx context.Context, out io.Writer) (core.BackupInfo, error) {
	return callStream(ctx, c, epBackup, none{}, out)
}

// Retention describes the retention policies and legal holds.
func (c *Client) Retention(ctx context.Context) (core.RetentionStatus, error) {
	return call(ctx, c, epRetention, none{})
}

// SetRetention sets a policy; days core.RetentionInherit clears a
// conversation's own.
func (c *Client) SetRetention(ctx context.Context, in string, days int) (core.RetentionStatus, error) {
	req := retentionRequest{In: in, Days: days}
	if days == core.RetentionInherit {
		req = retentionRequest{In: in, Inherit: true}
	}
	return call(ctx, c, epSetRetention, req)
}

// PlaceHold places a legal hold.
func (c *Client) PlaceHold(ctx context.Context, in, reason string) (core.LegalHold, error) {
	return call(ctx, c, epPlaceHold, holdRequest{In: in, Reason: reason})
}

// ReleaseHold releases a legal hold.
func (c *Client) ReleaseHold(ctx context.Context, id string) (core.LegalHold, error) {
	return call(ctx, c, epReleaseHold, holdRequest{ID: id})
}

// ApplyRetention applies the policies now.
func (c *Client) ApplyRetention(ctx context.Context) (chat.SweepResult, error) {
	return call(ctx, c, epApplyRetention, none{})
}
