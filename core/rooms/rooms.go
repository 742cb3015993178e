package rooms

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"hallway/chat"
	hcrypto "hallway/crypto"
	"hallway/p2p"
	"hallway/storage"

	"github.com/libp2p/go-libp2p/core/peer"
)

// openGeneralID is the id of the open LAN workspace's #general, the same
// on every Hallway: anyone can derive its key.
var openGeneralID = sync.OnceValue(func() string {
	id, _ := hcrypto.GeneralRoom(nil)
	return id
})

// membershipStore keeps the joined rooms and their members.
type membershipStore interface {
	Rooms(ctx context.Context, includeLeft bool) ([]storage.Room, error)
	Room(ctx context.Context, id string) (storage.Room, bool, error)
	UpsertRoom(ctx context.Context, r storage.Room) error
	LeaveRoom(ctx context.Context, id string) error
	RoomMembers(ctx context.Context, room string) ([]storage.Member, error)
	RoomMemberCount(ctx context.Context, room string) (int, error)
	UnreadCount(ctx context.Context, id, self string) (int, error)
}

// Manager is the rooms of a node: which it is in, joining and leaving
// them, and posting to them. It builds and owns the writer and the syncer.
type Manager struct {
	cfg    Config
	log    *slog.Logger
	deps   Deps
	joined *Registry
	clock  *Clock
	commit *committer
	poster *poster
	writer *Writer
	syncer *Syncer
	leaves leaveRekeys
	held   heldKeys // room keys waiting for the log to catch up
	// receipts sends ours and keeps the members'.
	receipts *receipts
	// joining: a join of the workspace room on an admission is on its way.
	joining atomic.Bool
	// entering holds the newcomers whose entry by a pass is being served
	// (enter.go): their connection is kept until they have the answer.
	entering sync.Map
	// entry is our join by a pass, gossiped once we are in the workspace
	// room's mesh (enter.go).
	entry atomic.Pointer[[]byte]
	// caughtUp: since it started, this node pulled the workspace room's
	// log from a member (enter.go).
	caughtUp atomic.Bool
	// handedGeneral holds the #general epoch each member behind was handed
	// the keys of (generalkey.go).
	handedGeneral sync.Map
}

// New builds the rooms of a node. It touches neither the network nor
// history: Open does.
func New(cfg Config, deps Deps) *Manager {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if deps.Blocks == nil {
		deps.Blocks = noBlocks{}
	}
	m := &Manager{cfg: cfg, log: cfg.Logger, deps: deps, joined: newRegistry(), clock: NewClock(cfg.LastClock)}
	m.commit = &committer{store: deps.Store, self: deps.Net.ID, clock: m.clock, pub: deps.Publisher,
		message: m.Message, fileOffered: deps.FileOffered, changed: m.announce, log: m.log}
	m.poster = &poster{store: deps.Store, self: deps.Net.ID, key: cfg.Identity, clock: m.clock,
		selfName: deps.SelfName, commit: m.commit, log: m.log}
	m.receipts = newReceipts(deps.Store, deps.Net.ID, cfg.Identity, m.joined, deps.Spawner, deps.Publisher, m.log)
	m.writer = newWriter(m.commit, m.receipts.keep, deps.Closing, m.log)
	if deps.ReadReceipts != nil {
		m.receipts.readShared = deps.ReadReceipts
	}
	m.receipts.memberList = m.members
	m.commit.touched = m.receipts.touch
	m.syncer = newSyncer(m.joined, deps.Store, deps.Net, deps.Spawner, m.commit, deps.Blocks, m.log)
	m.syncer.receipts = m.receipts
	m.commit.gaps = m.syncer
	m.commit.left = m.leaveSeen
	m.commit.codes = m.codesSeen
	m.poster.catchUp = m.syncer.catchUpOwn
	m.commit.relog = func(ctx context.Context, room string, live bool) {
		if j := m.joined.Get(room); j != nil {
			if err := m.relogHeard(ctx, j, live); err != nil {
				m.log.Warn("replay membership", "room", room, "err", err)
			}
		}
	}
	m.commit.hidden = func(room string) bool {
		j := m.joined.Get(room)
		return j != nil && j.workspace
	}
	m.commit.foreign = m.foreignInGeneral
	m.syncer.pulled = m.pulledFrom
	m.syncer.served = m.behindInGeneral
	m.commit.liveOnly = func(room string) bool {
		j := m.joined.Get(room)
		return j != nil && j.liveOnly
	}
	return m
}

// now is the clock memberships and passes expire by (Config.Now).
func (m *Manager) now() time.Time {
	if m.cfg.Now != nil {
		return m.cfg.Now()
	}
	return time.Now()
}

// Writer commits gossiped messages; the node runs it.
func (m *Manager) Writer() *Writer { return m.writer }

// Syncer catches rooms up; the node runs it and serves sync with it.
func (m *Manager) Syncer() *Syncer { return m.syncer }

// Joined is the set of joined rooms, for lookups by other features.
func (m *Manager) Joined() *Registry { return m.joined }

// PeerConnected catches every room up with a peer that just connected.
func (m *Manager) PeerConnected(id peer.ID) {
	m.receipts.connected(id)
	m.syncer.catchUp(id, nil)
}

// PeerMeshed catches a room up with a member that just entered our gossip
// mesh of it: it enters only once it has proved the key, and what was
// posted before that reached neither of us from the other by gossip.
func (m *Manager) PeerMeshed(id peer.ID, room string) {
	m.syncer.catchUp(id, []string{room})
	m.announceEntry(room)
}

// Open follows every joined room and makes sure #general is one. A room
// history holds under a name that may look like #general's or an earlier
// joined room's (joined before names were kept apart) is renamed with a
// number, as it would be when joined now.
func (m *Manager) Open(ctx context.Context) error {
	rooms, err := m.deps.Store.Rooms(ctx, false)
	if err != nil {
		return fmt.Errorf("read rooms: %w", err)
	}
	slices.SortStableFunc(rooms, func(a, b storage.Room) int {
		if a.General != b.General {
			if a.General {
				return -1
			}
			return 1
		}
		return cmp.Or(a.JoinedAt.Compare(b.JoinedAt), strings.Compare(a.ID, b.ID))
	})
	for _, r := range rooms {
		if !r.General {
			if name := m.joined.localName(r.Name, r.ID); name != r.Name {
				r.Name = name
				if err := m.deps.Store.UpsertRoom(ctx, r); err != nil {
					return fmt.Errorf("rename room %s: %w", r.ID, err)
				}
			}
		}
		if err := m.Follow(r); err != nil {
			return err
		}
		if err := m.relog(ctx, m.joined.Get(r.ID)); err != nil {
			return fmt.Errorf("room %s membership: %w", r.ID, err)
		}
	}
	gid, gkey := hcrypto.GeneralRoom(m.cfg.Workspace)
	if m.joined.Get(gid) == nil {
		if err := m.join(ctx, storage.Room{ID: gid, Name: chat.GeneralRoomName, Key: gkey, General: true}, nil); err != nil {
			return err
		}
	}
	return m.openWorkspaceRoom(ctx)
}

// Follow starts following a room's gossip, without recording it as
// joined: Open uses it for the rooms history holds. It follows the topics
// of the epochs it holds keys for (see Joined.wanted).
func (m *Manager) Follow(r storage.Room) error {
	j := &Joined{id: r.ID, name: r.Name, key: hcrypto.RoomKey(r.Key), general: r.General,
		liveOnly: r.General && r.ID == openGeneralID(), workspace: !r.General && r.ID == m.cfg.WorkspaceRoom.ID}
	if err := m.loadEpochs(context.Background(), j); err != nil {
		return fmt.Errorf("room %s: %w", r.Name, err)
	}
	if err := m.followTopics(j); err != nil {
		j.leaveAll()
		return fmt.Errorf("room %s: %w", r.Name, err)
	}
	m.joined.add(j)
	return nil
}

// followTopic joins the gossip topic name of one epoch of j, whose key
// tk proves it to the topic's other members.
func (m *Manager) followTopic(j *Joined, name string, tk topicKey) (Topic, error) {
	var key p2p.TopicKey = tk
	if j.liveOnly {
		key = nil // a public key proves nothing
	}
	return m.deps.Net.JoinRoom(j.id, name, key, func(data []byte) (peer.ID, any, error) {
		v, err := m.admitGossip(j, data)
		if err != nil {
			return "", nil, err
		}
		return v.author, v.decoded, nil
	}, func(from peer.ID, v any) {
		switch v := v.(type) {
		case *storage.RoomEntry:
			m.writer.enqueue(v, from)
		case *receiptIn:
			m.writer.enqueueReceipt(v)
		}
	})
}

// join records a room as joined, follows it, says so to its members and
// fetches its history from whoever is online. Every way in (a room code,
// an accepted invitation, a new room) comes here; the user asked for each.
//
// op is the join (or creation) operation to post, nil for #general, whose
// members need none; extra names the add an invitation carried.
func (m *Manager) join(ctx context.Context, r storage.Room, op *hcrypto.MemberOp, extra ...hcrypto.OpHash) error {
	if r.General {
		if !chat.IsGeneralRoomID(r.ID) {
			return fmt.Errorf("#general with id %q", r.ID)
		}
	} else if err := chat.CheckInvitedRoomID(r.ID); err != nil {
		return chat.NewUserError(fmt.Sprintf("this is not a room Hallway can join: %v", err), err)
	}
	if existing := m.joined.Get(r.ID); existing != nil {
		if existing.key != hcrypto.RoomKey(r.Key) {
			return chat.UserErrorf("you are already in a room with id %s but another key; the invitation is not valid", r.ID)
		}
		if _, cut := existing.roster().cutoff(m.deps.Net.ID().String()); cut && op != nil && op.Kind == hcrypto.BodyJoin {
			// Removed (or gone), and invited again: join anew.
			if _, err := m.poster.postOp(ctx, existing, *op, extra...); err != nil {
				return err
			}
		}
		m.settleInvites(ctx, r.ID)
		return nil
	}
	if !r.General && m.joined.Len() >= MaxRooms {
		return chat.UserErrorf("you are in %d rooms, the most Hallway follows at once; leave one first", MaxRooms)
	}
	if !r.General {
		r.Name = m.joined.localName(r.Name, r.ID)
	}
	if old, ok, err := m.deps.Store.Room(ctx, r.ID); err != nil {
		return err
	} else if ok && old.Key != r.Key {
		return chat.UserErrorf("room %s was known with another key; the invitation is not valid", r.ID)
	}
	now := time.Now()
	r.JoinedAt = now
	if r.CreatedAt.IsZero() {
		r.CreatedAt = now
	}
	if err := m.deps.Store.UpsertRoom(ctx, r); err != nil {
		return fmt.Errorf("save room: %w", err)
	}
	if err := m.Follow(r); err != nil {
		return err
	}
	j := m.joined.Get(r.ID)
	if err := m.relog(ctx, j); err != nil {
		return fmt.Errorf("room membership: %w", err)
	}
	var err error
	if op == nil {
		_, err = m.poster.post(ctx, j, hcrypto.RoomBody{Kind: hcrypto.BodyJoin})
	} else {
		_, err = m.poster.postOp(ctx, j, *op, extra...)
	}
	if err != nil {
		return err
	}
	m.syncer.withAll(j.id)
	m.announce(ctx, j.id)
	m.settleInvites(ctx, j.id)
	return nil
}

// Create makes a new room with a fresh key; the creator is its first
// member.
func (m *Manager) Create(ctx context.Context, name string) (chat.Room, error) {
	name = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(name), "#"))
	if err := chat.CheckRoomName(name); err != nil {
		return chat.Room{}, chat.UserErrorf("%v", err)
	}
	if reservedName(name) {
		return chat.Room{}, chat.UserErrorf("%q is taken by the workspace's #general; pick another name", name)
	}
	if j := m.joined.byNameKey(name, ""); j != nil {
		return chat.Room{}, chat.UserErrorf("you are already in #%s, whose name looks the same; pick another name", j.name)
	}
	if !m.WorkspacePolicy().MayCreateRooms(m.IsWorkspaceAdmin(m.deps.Net.ID())) {
		return chat.Room{}, chat.UserErrorf("the workspace policy lets only admins create rooms (hallway policy show)")
	}
	// The id is made from our key: the creation operation proves to every
	// member that we made the room, so we own it.
	id, seed, err := hcrypto.NewOwnedRoomID([]byte(m.deps.Net.ID()))
	if err != nil {
		return chat.Room{}, err
	}
	key, err := hcrypto.NewRoomKey()
	if err != nil {
		return chat.Room{}, err
	}
	m.poster.settle(id) // a new room: nobody holds a message of ours in it
	create := hcrypto.MemberOp{Kind: hcrypto.BodyCreate, Target: seed}
	if err := m.join(ctx, storage.Room{ID: id, Name: name, Key: key}, &create); err != nil {
		return chat.Room{}, err
	}
	return m.summary(ctx, m.joined.Get(id))
}

// Leave tells the members, stops following the room and keeps its
// history.
func (m *Manager) Leave(ctx context.Context, ref string) error {
	j, err := m.joined.Resolve(ref)
	if err != nil {
		return err
	}
	if j.general {
		return chat.UserErrorf("everyone in the workspace is in #general; it cannot be left")
	}
	if _, err := m.poster.postOp(ctx, j, hcrypto.MemberOp{Kind: hcrypto.BodyLeave}); err != nil {
		return err
	}
	if err := m.deps.Store.LeaveRoom(ctx, j.id); err != nil {
		return fmt.Errorf("leave room: %w", err)
	}
	m.joined.remove(j.id)
	j.leaveAll()
	m.deps.Publisher.Publish(chat.RoomChanged{Room: chat.Room{ID: j.id, Name: j.name}, Left: true})
	return nil
}

// summary is the API form of a joined room.
func (m *Manager) summary(ctx context.Context, j *Joined) (chat.Room, error) {
	members, err := m.memberCount(ctx, j)
	if err != nil {
		return chat.Room{}, err
	}
	unread, err := m.deps.Store.UnreadCount(ctx, j.id, m.deps.Net.ID().String())
	if err != nil {
		return chat.Room{}, fmt.Errorf("unread count: %w", err)
	}
	forked, err := forkCounts(ctx, m.deps.Store, j.id)
	if err != nil {
		return chat.Room{}, fmt.Errorf("room forks: %w", err)
	}
	return chat.Room{ID: j.id, Name: j.name, General: j.general, Members: members, Unread: unread,
		OpenLAN: j.general && m.cfg.Workspace == nil, Forked: forked, Epoch: j.Epoch()}, nil
}

// List lists the rooms this node is in, #general first.
func (m *Manager) List(ctx context.Context) ([]chat.Room, error) {
	var out []chat.Room
	for _, j := range m.joined.All() {
		if j.workspace {
			continue
		}
		r, err := m.summary(ctx, j)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	slices.SortStableFunc(out, func(a, b chat.Room) int {
		if a.General != b.General {
			if a.General {
				return -1
			}
			return 1
		}
		return strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name))
	})
	return out, nil
}

// announce tells subscribers a joined room changed (its members).
func (m *Manager) announce(ctx context.Context, id string) {
	m.receipts.membersChanged(id)
	if j := m.joined.Get(id); j != nil && j.workspace {
		m.deps.Publisher.Publish(chat.WorkspaceChanged{})
	} else if j != nil {
		if r, err := m.summary(ctx, j); err == nil {
			m.deps.Publisher.Publish(chat.RoomChanged{Room: r})
		}
	}
}
