package chaos

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"hallway/chat"
	hcrypto "hallway/crypto"
	"hallway/internal/fleet"
	"hallway/p2p"
)

// s17FileSize is the size of each file S17 offers in #general.
const s17FileSize = 256 << 10

// s17Offer has from offer a new file in #general once every one of
// present is in the room with it, and has each of them download it: the
// colleagues there when a file is offered live are the ones it is for.
func s17Offer(t *testing.T, from *fleet.Daemon, name string, present []*fleet.Daemon) chat.Transfer {
	t.Helper()
	from.WaitFor("colleagues in #general", 30*time.Second, func() bool { return from.Members("#general") >= len(present)+1 })
	p, _ := fleet.RandomFile(t, t.TempDir(), name, s17FileSize)
	tr := fleet.Decode[chat.Transfer](t, from.CLI("file", "send", "#general", p, "--json"))
	for _, d := range present {
		d.WaitFor("the offer of "+name, 30*time.Second, func() bool { _, ok := d.Transfer(tr.ID); return ok })
		got := fleet.Decode[chat.Transfer](t, d.CLI("file", "accept", tr.ID, "--to", t.TempDir(), "--wait", "--json"))
		if got.State != "done" {
			t.Fatalf("%s, in #general when %s offered %s: %s (%s)", d.Name, from.Name, name, got.State, got.Error)
		}
	}
	return tr
}

// s17FilesBefore: each side offers a file in #general before the meeting;
// in the office, the colleagues there download it.
func s17FilesBefore(t *testing.T, m *s17Meeting, side *fleet.Daemon) []string {
	t.Helper()
	var present []*fleet.Daemon
	if side != m.laptop {
		for _, d := range m.office {
			if d != side {
				present = append(present, d)
			}
		}
	}
	tr := s17Offer(t, side, strings.ToLower(side.Name)+"-before.bin", present)
	m.offered[tr.ID] = tr
	return []string{tr.ID}
}

// s17FilesAfter: no node learns of a file the other side offered in
// #general before the meeting, no node serves a byte of one to a stranger
// who holds its hash and the key anyone derives, and a file offered live
// after the meeting reaches the other side.
func s17FilesAfter(t *testing.T, m *s17Meeting) string {
	t.Helper()
	before := m.before["#general files"]
	for _, d := range m.all {
		ts, err := d.Client().Transfers(context.Background())
		if err != nil {
			t.Fatalf("%s: transfers: %v", d.Name, err)
		}
		offers := map[string]bool{}
		for _, msg := range d.History("#general") {
			offers[msg.TransferID] = true
		}
		for side, ids := range before {
			if !m.otherSide(side, d.Name) {
				continue
			}
			for _, id := range ids {
				o := m.offered[id]
				if offers[id] || slices.ContainsFunc(ts, func(tr chat.Transfer) bool { return tr.ID == id || tr.Hash == o.Hash }) {
					t.Fatalf("%s learned of %s, offered by %s in #general before the meeting", d.Name, o.Name, side)
				}
			}
		}
	}

	// A stranger that holds each file's hash asks every node for its
	// content, with the proof anyone can make from the public key: those
	// who offered it, those who downloaded it, those who never had it.
	general, key := hcrypto.GeneralRoom(nil)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	asked, refused, served := 0, 0, 0
	var refusals []string
	for _, tr := range m.offered {
		for i, v := range m.victims {
			r, err := m.adv.AskFile(ctx, v, m.adv.RoomFileRequest(key, general, tr.Hash, v, p2p.FileOpChunks, p2p.ChunkRange{From: 0, To: 1}))
			if err != nil {
				t.Fatalf("asking %s for %s: %v", m.all[i].Name, tr.Name, err)
			}
			asked++
			for _, c := range r.Chunks {
				served += len(c)
			}
			if r.OK || len(r.Chunks) != 0 {
				t.Fatalf("%s served %d chunks of %s, offered in #general before the meeting, to a stranger", m.all[i].Name, len(r.Chunks), tr.Name)
			}
			refused++
			if r.Refusal != "" && !slices.Contains(refusals, r.Refusal) {
				refusals = append(refusals, r.Refusal)
			}
		}
	}
	slices.Sort(refusals)

	// Live, a file offered in #general reaches the other side.
	s17Offer(t, m.office[0], "office-live.bin", []*fleet.Daemon{m.laptop})
	s17Offer(t, m.laptop, "laptop-live.bin", m.office)
	return fmt.Sprintf("the laptop offered %d file in #general on its old network, the office %d before it came (downloaded there by %d colleague); after the meeting: 0 of them known across (no offer in #general, no transfer); a stranger holding each one's hash asked every node for its chunks with the public key's proof: %d requests, %d refused (%s), %d bytes served; files of %d KiB offered live in #general after the meeting: %s's downloaded by the laptop, the laptop's by %d of %d in the office",
		len(before[m.laptop.Name]), len(before[m.office[0].Name]), len(m.office)-1, asked, refused,
		strings.Join(refusals, "; "), served, s17FileSize>>10, m.office[0].Name, len(m.office), len(m.office))
}
