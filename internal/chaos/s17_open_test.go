package chaos

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"hallway/chat"
	hcrypto "hallway/crypto"
	"hallway/internal/adversary"
	"hallway/internal/fleet"
	"hallway/p2p"

	"github.com/libp2p/go-libp2p/core/peer"
)

// s17Meeting is S17's lab: a laptop in the open LAN workspace that used
// #general on another network, an office of strangers' Hallways that used
// theirs, and what each half of the scenario recorded before they met.
type s17Meeting struct {
	laptop *fleet.Daemon
	office []*fleet.Daemon
	n      int // how much each side does before the meeting
	// before holds, per half, what the half left on each side (by daemon
	// name) before the meeting, for its check after it.
	before map[string]map[string][]string
	// offered are the files offered in #general before the meeting, by
	// transfer id.
	offered map[string]chat.Transfer
	// After the meeting: every node, and the stranger's modified Hallway
	// with the peer id each node has for it (by the index in all).
	all     []*fleet.Daemon
	adv     *adversary.Peer
	victims []peer.ID
}

// s17Half is one thing an open-workspace laptop must not share with a new
// network: before runs on each side (the laptop alone, then the office)
// and returns what it left there; after checks, once they met and every
// catch-up ran, that none of it crossed, and returns its measured figure.
type s17Half struct {
	name   string
	before func(t *testing.T, m *s17Meeting, side *fleet.Daemon) []string
	after  func(t *testing.T, m *s17Meeting) string
}

// s17Halves are what S17 checks: what was said in #general before the
// meeting, and the files offered there.
var s17Halves = []s17Half{
	{name: "#general history", before: s17HistoryBefore, after: s17HistoryAfter},
	{name: "#general files", before: s17FilesBefore, after: s17FilesAfter},
}

// S17: a laptop in the open LAN workspace, with #general history and
// files from its last network, meets strangers' Hallways (and a modified
// one that asks for everything) on a new one. #general works live both
// ways, files included; nothing said or offered in it before the meeting
// crosses, in either direction, while every other room still catches up.
func TestS17OpenLaptopMeetsStrangers(t *testing.T) {
	r := scenario(t, "S17", "an open-workspace laptop meets strangers' Hallways on a new network",
		"it receives and serves no #general history and no #general files from before the meeting")
	l := lab(t, 4)
	m := &s17Meeting{n: pick(5, 50), before: map[string]map[string][]string{}, offered: map[string]chat.Transfer{}}
	m.laptop = fleet.New(t, l.Host(3), "Carol")
	m.laptop.Start()
	laptopID, _ := peer.Decode(m.laptop.ID())
	s17Before(t, m, m.laptop)
	m.laptop.CLI("room", "create", "cw")
	m.laptop.CLI("send", "#cw", "cw before the meeting")
	m.laptop.Stop()

	m.office = fleet.Office(t, l, []string{"Ann", "Bob"})
	ann := m.office[0]
	s17Before(t, m, ann)
	ann.CLI("room", "create", "w")
	ann.CLI("send", "#w", "w before the meeting")

	// A stranger's modified Hallway that records what it is asked for.
	adv := hostile(t, l.Host(4), nil)
	var mu sync.Mutex
	asked := map[peer.ID][]string{}
	laptopAsked := make(chan struct{})
	adv.ServeSync(func(from peer.ID, req p2p.SyncRequest) [][]byte {
		mu.Lock()
		defer mu.Unlock()
		if from == laptopID && asked[from] == nil {
			close(laptopAsked)
		}
		for _, rm := range req.Rooms {
			asked[from] = append(asked[from], rm.ID)
		}
		return nil
	})

	m.laptop.Start()
	all := append(slices.Clone(m.office), m.laptop)
	fleet.WaitMesh(t, all, 60*time.Second)
	victims := infiltrate(t, adv, all)
	m.all, m.adv, m.victims = all, adv, victims
	// Witnesses that the catch-up each side starts on meeting has run.
	s17JoinByCode(t, m.laptop, ann, "#w", "w before the meeting")
	for _, d := range m.office {
		s17JoinByCode(t, d, m.laptop, "#cw", "cw before the meeting")
	}

	// The modified Hallway: what it was asked for, and what it gets. On
	// meeting it, the laptop catches its rooms up with it (#cw), and must
	// leave #general out.
	ctx, cancel := context.WithTimeout(context.Background(), deadline(2*time.Minute, 10*time.Minute))
	defer cancel()
	select {
	case <-laptopAsked:
	case <-ctx.Done():
		t.Fatal("the laptop never asked the modified Hallway for a sync")
	}
	general, key := hcrypto.GeneralRoom(nil)
	mu.Lock()
	for from, rooms := range asked {
		if slices.Contains(rooms, general) {
			t.Fatalf("%s asked a stranger for the open workspace's #general history", from)
		}
	}
	requests := len(asked)
	mu.Unlock()
	servedGeneral := 0
	for i, v := range victims {
		envs, err := adv.AskHistory(ctx, v, general, key)
		if err != nil {
			t.Fatalf("asking %s for #general: %v", all[i].Name, err)
		}
		servedGeneral += len(envs)
	}
	if servedGeneral != 0 {
		t.Fatalf("%d #general envelopes served to a stranger asking with the public key", servedGeneral)
	}

	// Live, #general still works both ways.
	ann.CLI("send", "#general", "hello Carol")
	m.laptop.CLI("send", "#general", "hello office")
	for _, d := range all {
		d.WaitFor("the live messages", 30*time.Second, func() bool {
			texts := s17Texts(d.History("#general"))
			return slices.Contains(texts, "hello Carol") && slices.Contains(texts, "hello office")
		})
	}
	for _, h := range s17Halves {
		r.measure(t, "%s: %s", h.name, h.after(t, m))
	}
	r.measure(t, "a modified stranger's Hallway asking every node for #general with the public key's proof: 0 envelopes served; syncs asked of it by %d peers, none for #general; live #general messages after the meeting delivered both ways", requests)

	snaps, err := fleet.SnapshotAll(context.Background(), all)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range snaps {
		if s.Integrity != nil {
			t.Fatalf("%s: integrity_check: %v", s.Name, s.Integrity)
		}
		for _, msg := range s.Rooms[general].Messages {
			for side, texts := range m.before["#general history"] {
				if m.otherSide(side, s.Name) && slices.Contains(texts, msg.Text) {
					t.Fatalf("%s's database holds %s's %q from before the meeting", s.Name, side, msg.Text)
				}
			}
		}
	}
	r.measure(t, "databases read after stopping: integrity_check ok, no #general row from the other side's past")
}

// otherSide reports whether the daemons named a and b met only at the
// meeting: one is the laptop, the other of the office.
func (m *s17Meeting) otherSide(a, b string) bool {
	return (a == m.laptop.Name) != (b == m.laptop.Name)
}

// s17Before runs every half's before on one side.
func s17Before(t *testing.T, m *s17Meeting, side *fleet.Daemon) {
	t.Helper()
	for _, h := range s17Halves {
		if m.before[h.name] == nil {
			m.before[h.name] = map[string][]string{}
		}
		m.before[h.name][side.Name] = h.before(t, m, side)
	}
}

// s17JoinByCode has d join owner's room by its code and waits for want,
// which only catch-up sync brings: a node syncs with one peer at a time,
// so the catch-up that meeting owner started has run by then.
func s17JoinByCode(t *testing.T, d, owner *fleet.Daemon, room, want string) {
	t.Helper()
	d.CLI("room", "join", strings.TrimSpace(owner.CLI("room", "invite-code", room)))
	d.WaitFor(want, 30*time.Second, func() bool { return slices.Contains(s17Texts(d.History(room)), want) })
}

func s17Texts(msgs []chat.Message) []string {
	var out []string
	for _, m := range msgs {
		out = append(out, m.Text)
	}
	return out
}

// s17HistoryBefore: each side talks in #general before the meeting.
func s17HistoryBefore(t *testing.T, m *s17Meeting, side *fleet.Daemon) []string {
	var texts []string
	for i := range m.n {
		text := fmt.Sprintf("%s's #general before the meeting %d", side.Name, i)
		side.CLI("send", "#general", text)
		texts = append(texts, text)
	}
	return texts
}

// s17HistoryAfter: no side holds a word of the other's #general past.
func s17HistoryAfter(t *testing.T, m *s17Meeting) string {
	t.Helper()
	before := m.before["#general history"]
	for _, d := range append(slices.Clone(m.office), m.laptop) {
		held := s17Texts(d.History("#general"))
		for side, texts := range before {
			if !m.otherSide(side, d.Name) {
				continue // its own past, or its own office's
			}
			for _, text := range texts {
				if slices.Contains(held, text) {
					t.Fatalf("%s received %q from before the meeting", d.Name, text)
				}
			}
		}
	}
	return fmt.Sprintf("the laptop said %d things in #general on its old network, the office %d before it came; after the meeting (every other room caught up both ways): the laptop received 0 of the office's, the office 0 of the laptop's",
		len(before[m.laptop.Name]), len(before[m.office[0].Name]))
}
