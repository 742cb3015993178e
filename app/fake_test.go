package app

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"hallway/chat"
)

// fakeCore is an in-memory Core for view tests.
type fakeCore struct {
	mu        sync.Mutex
	self      chat.Self
	peers     []chat.Colleague
	rooms     []chat.Room
	invites   []chat.RoomInvitation
	msgs      map[string][]chat.Message // by conversation, oldest first
	trusts    map[string]chat.Trust
	unread    map[string]int
	mentioned map[string]int
	drafts    map[string]string
	transfers []chat.Transfer
	prefs     chat.Prefs
	hits      []chat.SearchHit
	sent      []string
	members   map[string][]chat.RoomMember
	removed   []string
	files     []string
	actions   []string
	pages     int // Page calls
	viewReads int // Peers, Rooms and Unread calls: reads of the sidebar
	events    chan chat.Event
	seq       int64
	restarts  int
	workspace string
	nearby    []chat.NearbyWorkspace
	diagnosis chat.Diagnosis
	policy    *chat.Policy
}

func newFakeCore() *fakeCore {
	return &fakeCore{
		self: chat.Self{PeerID: "12D3KooWSelf", Name: "Ann", Status: "available", Fingerprint: "11111 22222 33333 44444 55555 66666",
			Workspace: chat.WorkspaceOpen},
		msgs: map[string][]chat.Message{}, trusts: map[string]chat.Trust{}, unread: map[string]int{},
		prefs:  chat.Prefs{Notifications: true, Theme: chat.ThemeSystem, SetupDone: true},
		events: make(chan chat.Event, 64),
	}
}

var day0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.Local)

func (f *fakeCore) addPeer(id, name, status string, online bool) {
	f.peers = append(f.peers, chat.Colleague{PeerID: id, Name: name, Status: status, Online: online,
		Fingerprint: "98765 43210 12345 67890 24680 13579"})
	f.trusts[id] = chat.Trust{PeerID: id, Name: name, Fingerprint: "98765 43210 12345 67890 24680 13579",
		SafetyNumber: "12345 67890 11111 22222 33333 44444 55555 66666 77777 88888 99999 00000"}
}

// addMessages appends n messages from author to conv, a minute apart.
func (f *fakeCore) addMessages(conv, author, name string, n int) {
	for i := range n {
		f.seq++
		f.msgs[conv] = append(f.msgs[conv], chat.Message{ID: fmt.Sprintf("m%d", f.seq), Conversation: conv, From: author,
			FromName: name, Text: fmt.Sprintf("message %d", i+1), Time: day0.Add(time.Duration(f.seq) * time.Minute),
			State: "received", Seq: f.seq, HLC: uint64(f.seq), AuthorSeq: uint64(f.seq)})
	}
}

func (f *fakeCore) Self(context.Context) (chat.Self, error) { return f.self, nil }
func (f *fakeCore) Peers(context.Context) ([]chat.Colleague, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.viewReads++
	return append([]chat.Colleague(nil), f.peers...), nil
}
func (f *fakeCore) Subscribe(ctx context.Context) <-chan chat.Event { return f.events }

func (f *fakeCore) Page(_ context.Context, conv string, before *chat.Message, limit int) ([]chat.Message, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.pages++
	all := f.msgs[conv]
	end := len(all)
	if before != nil {
		for i, m := range all {
			if m.ID == before.ID {
				end = i
			}
		}
	}
	start := max(0, end-limit)
	return append([]chat.Message(nil), all[start:end]...), nil
}

func (f *fakeCore) SendTo(_ context.Context, conv, text string) (chat.Message, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if strings.TrimSpace(text) == "" {
		return chat.Message{}, errors.New("empty")
	}
	f.seq++
	m := chat.Message{ID: fmt.Sprintf("m%d", f.seq), Conversation: conv, From: f.self.PeerID, FromName: f.self.Name,
		Text: text, Time: day0.Add(time.Duration(f.seq) * time.Minute), State: "sent", Outgoing: true, Seq: f.seq}
	f.msgs[conv] = append(f.msgs[conv], m)
	f.sent = append(f.sent, text)
	return m, nil
}

func (f *fakeCore) MarkRead(_ context.Context, conv string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.unread, conv)
	return nil
}
func (f *fakeCore) Unread(context.Context) (map[string]int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.viewReads++
	out := map[string]int{}
	for k, v := range f.unread {
		out[k] = v
	}
	return out, nil
}
func (f *fakeCore) SetDraft(_ context.Context, conv, text string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.drafts == nil {
		f.drafts = map[string]string{}
	}
	f.drafts[conv] = text
	if text == "" {
		delete(f.drafts, conv)
	}
	return nil
}
func (f *fakeCore) Drafts(context.Context) (map[string]string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := map[string]string{}
	for k, v := range f.drafts {
		out[k] = v
	}
	return out, nil
}
func (f *fakeCore) Typing(_ context.Context, conv string, typing bool) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.actions = append(f.actions, fmt.Sprintf("typing %s %v", conv, typing))
	return nil
}
func (f *fakeCore) UnreadMentions(context.Context) (map[string]int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := map[string]int{}
	for k, v := range f.mentioned {
		out[k] = v
	}
	return out, nil
}
func (f *fakeCore) Amend(_ context.Context, kind chat.Kind, id, text string) (chat.Message, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.actions = append(f.actions, string(kind)+" "+id+" "+text)
	f.seq++
	return chat.Message{ID: fmt.Sprintf("m%d", f.seq), Kind: string(kind), Text: text, From: f.self.PeerID, Outgoing: true,
		Ref: &chat.MessageRef{ID: id}}, nil
}
func (f *fakeCore) Mute(_ context.Context, conv string, level chat.NotifyLevel, until time.Time) (chat.Mute, error) {
	f.mu.Lock()
	m := chat.Mute{Conversation: conv, Level: level, Until: until}
	f.prefs.Mutes = f.prefs.WithMute(m, time.Now())
	f.actions = append(f.actions, "mute "+conv+" "+string(level))
	f.mu.Unlock()
	return m, nil
}
func (f *fakeCore) DoNotDisturb(_ context.Context, until time.Time) error {
	f.mu.Lock()
	f.prefs.DoNotDisturbUntil = until
	f.actions = append(f.actions, "dnd")
	f.mu.Unlock()
	return nil
}
func (f *fakeCore) SetStatus(_ context.Context, status, text string) error {
	f.mu.Lock()
	f.self.Status, f.self.StatusText = status, text
	f.actions = append(f.actions, "status "+status)
	f.mu.Unlock()
	return nil
}
func (f *fakeCore) SetName(_ context.Context, name string) error {
	f.self.Name = name
	f.actions = append(f.actions, "name "+name)
	return nil
}
func (f *fakeCore) AddPeer(context.Context, string) (chat.AddPeerResult, error) {
	return chat.AddPeerResult{}, nil
}
func (f *fakeCore) Rooms(context.Context) ([]chat.Room, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.viewReads++
	return append([]chat.Room(nil), f.rooms...), nil
}
func (f *fakeCore) CreateRoom(_ context.Context, name string) (chat.Room, error) {
	r := chat.Room{ID: "r-" + name, Name: name, Members: 1}
	f.rooms = append(f.rooms, r)
	return r, nil
}
func (f *fakeCore) JoinRoomCode(context.Context, string) (chat.Room, error) {
	return chat.Room{}, errors.New("no")
}
func (f *fakeCore) LeaveRoom(_ context.Context, room string) error {
	f.actions = append(f.actions, "leave "+room)
	return nil
}
func (f *fakeCore) RoomInviteCode(context.Context, string) (string, error) { return "HWR2-CODE", nil }
func (f *fakeCore) RoomMembers(_ context.Context, room string) ([]chat.RoomMember, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]chat.RoomMember(nil), f.members[room]...), nil
}
func (f *fakeCore) RemoveFromRoom(_ context.Context, room, peer string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.removed = append(f.removed, room+" "+peer)
	return nil
}
func (f *fakeCore) InviteToRoom(context.Context, string, string) (chat.Message, error) {
	return chat.Message{}, nil
}
func (f *fakeCore) RoomInvitations(context.Context) ([]chat.RoomInvitation, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]chat.RoomInvitation(nil), f.invites...), nil
}
func (f *fakeCore) AcceptRoomInvitation(_ context.Context, id string) (chat.Room, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.actions = append(f.actions, "accept invitation "+id)
	for i, inv := range f.invites {
		if inv.ID == id {
			f.invites = append(f.invites[:i], f.invites[i+1:]...)
			r := chat.Room{ID: inv.Room, Name: inv.JoinsAs, Members: 2}
			f.rooms = append(f.rooms, r)
			return r, nil
		}
	}
	return chat.Room{}, errors.New("no such invitation")
}
func (f *fakeCore) DeclineRoomInvitation(_ context.Context, id string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.actions = append(f.actions, "decline invitation "+id)
	return nil
}
func (f *fakeCore) Transfers(context.Context) ([]chat.Transfer, error) { return f.transfers, nil }
func (f *fakeCore) SendFileTo(_ context.Context, conv, path string) (chat.Transfer, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.files = append(f.files, conv+" "+path)
	return chat.Transfer{}, nil
}
func (f *fakeCore) AcceptTransfer(_ context.Context, id, _ string) (chat.Transfer, error) {
	f.actions = append(f.actions, "accept "+id)
	return chat.Transfer{}, nil
}
func (f *fakeCore) DeclineTransfer(_ context.Context, id string) error {
	f.actions = append(f.actions, "decline "+id)
	return nil
}
func (f *fakeCore) CancelTransfer(_ context.Context, id string) error {
	f.actions = append(f.actions, "cancel "+id)
	return nil
}
func (f *fakeCore) UnshareTransfer(_ context.Context, id string) error {
	f.actions = append(f.actions, "unshare "+id)
	return nil
}
func (f *fakeCore) Trusts(context.Context) (map[string]chat.Trust, error) {
	out := map[string]chat.Trust{}
	for k, v := range f.trusts {
		out[k] = v
	}
	return out, nil
}
func (f *fakeCore) TrustOf(_ context.Context, peer string) (chat.Trust, error) {
	t, ok := f.trusts[peer]
	if !ok {
		return t, errors.New("unknown colleague")
	}
	return t, nil
}
func (f *fakeCore) Verify(_ context.Context, peer string, v bool) (chat.Trust, error) {
	t := f.trusts[peer]
	t.Verified = v
	if v {
		t.VerifiedAt, t.VerifiedName = day0, t.Name
	}
	f.trusts[peer] = t
	f.actions = append(f.actions, fmt.Sprintf("verify %s %v", peer, v))
	return t, nil
}
func (f *fakeCore) Block(_ context.Context, peer, reason string) (chat.Block, error) {
	f.actions = append(f.actions, fmt.Sprintf("block %s %q", peer, reason))
	return f.setBlocked(peer, true), nil
}
func (f *fakeCore) Unblock(_ context.Context, peer string) (chat.Block, error) {
	f.actions = append(f.actions, "unblock "+peer)
	return f.setBlocked(peer, false), nil
}
func (f *fakeCore) setBlocked(peer string, on bool) chat.Block {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i := range f.peers {
		if f.peers[i].PeerID == peer {
			f.peers[i].Blocked = on
			if on {
				f.peers[i].Online = false
			}
		}
	}
	return chat.Block{PeerID: peer}
}
func (f *fakeCore) SetLabel(_ context.Context, peer, label string) (chat.Trust, error) {
	t := f.trusts[peer]
	t.Label = label
	f.trusts[peer] = t
	return t, nil
}
func (f *fakeCore) Prefs(context.Context) (chat.Prefs, error) { return f.prefs, nil }
func (f *fakeCore) SetPrefs(_ context.Context, p chat.Prefs) error {
	f.prefs = p
	return nil
}
func (f *fakeCore) Search(_ context.Context, q chat.SearchQuery) ([]chat.SearchHit, error) {
	f.actions = append(f.actions, "search "+q.Text+" from="+q.From+" in="+q.In)
	return f.hits, nil
}
func (f *fakeCore) WorkspaceInvite() (string, bool, error) {
	return f.workspace, f.workspace != "", nil
}
func (f *fakeCore) CreateWorkspace() (string, error) {
	f.workspace = "HW1-TESTCODE-1234"
	return f.workspace, nil
}
func (f *fakeCore) JoinWorkspace(code string) error {
	f.workspace = code
	return nil
}
func (f *fakeCore) LeaveWorkspace() error { f.workspace = ""; return nil }
func (f *fakeCore) NearbyWorkspaces(context.Context) ([]chat.NearbyWorkspace, error) {
	return append([]chat.NearbyWorkspace(nil), f.nearby...), nil
}
func (f *fakeCore) Restart() { f.restarts++ }
func (f *fakeCore) Doctor(context.Context, string) (chat.Diagnosis, error) {
	return f.diagnosis, nil
}

var _ Core = (*fakeCore)(nil)

func (f *fakeCore) Policy(context.Context) (chat.Policy, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.policy == nil {
		return chat.Policy{}, chat.UserErrorf("this workspace has no admins")
	}
	return *f.policy, nil
}

func (f *fakeCore) AcknowledgeNotice(context.Context) (chat.Policy, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.actions = append(f.actions, "acknowledge")
	f.policy.NoticeAcknowledged = true
	return *f.policy, nil
}

func (f *fakeCore) OpenPass(_ context.Context, uses int, expires time.Duration) (chat.WorkspacePass, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.actions = append(f.actions, fmt.Sprintf("pass %d %v", uses, expires))
	return chat.WorkspacePass{ID: "0011223344556677", Code: "HW3-PASS", Uses: uses, ExpiresAt: time.Now().Add(expires), Open: true}, nil
}
