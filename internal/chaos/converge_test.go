package chaos

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"hallway/internal/fleet"
)

// convergence is what reading every peer's database showed for one room.
type convergence struct {
	Peers, Messages, Authors int
}

func (c convergence) String() string {
	return fmt.Sprintf("%d peers hold the same %d messages of %d authors; 0 duplicates, 0 gaps, integrity_check ok", c.Peers, c.Messages, c.Authors)
}

// checkConverged stops the daemons, reads each one's database and checks
// that the room is converged: integrity_check ok everywhere, the same
// message ids on every peer, no id twice, per author sequence numbers
// 1..n without a hole, one stored envelope per message, and every id of
// must among them.
func checkConverged(t *testing.T, ds []*fleet.Daemon, roomName string, must []string) convergence {
	t.Helper()
	snaps, err := fleet.SnapshotAll(context.Background(), ds)
	if err != nil {
		t.Fatal(err)
	}
	return convergedSnapshots(t, snaps, roomName, must)
}

func convergedSnapshots(t *testing.T, snaps []fleet.Snapshot, roomName string, must []string) convergence {
	t.Helper()
	var ref []string
	var c convergence
	for i, s := range snaps {
		if s.Integrity != nil {
			t.Fatalf("%s: integrity_check: %v", s.Name, s.Integrity)
		}
		id, ok := s.RoomNames[roomName]
		if !ok {
			t.Fatalf("%s is not in #%s", s.Name, roomName)
		}
		log := s.Rooms[id]
		seen := map[string]bool{}
		seqs := map[string][]uint64{}
		var ids []string
		for _, m := range log.Messages {
			if seen[m.ID] {
				t.Fatalf("%s holds message %s twice", s.Name, m.ID)
			}
			seen[m.ID] = true
			ids = append(ids, m.ID)
			seqs[m.Author] = append(seqs[m.Author], m.AuthorSeq)
		}
		for author, list := range seqs {
			slices.Sort(list)
			for k, q := range list {
				if q != uint64(k+1) {
					t.Fatalf("%s: author %s has a gap: holds seq %d where %d belongs", s.Name, short(author), q, k+1)
				}
			}
		}
		if log.Envelopes != len(log.Messages) {
			t.Fatalf("%s: %d envelopes for %d messages", s.Name, log.Envelopes, len(log.Messages))
		}
		for _, id := range must {
			if !seen[id] {
				t.Fatalf("%s lost acknowledged message %s", s.Name, id)
			}
		}
		slices.Sort(ids)
		if i == 0 {
			ref = ids
			c = convergence{Peers: len(snaps), Messages: len(ids), Authors: len(seqs)}
		} else if !slices.Equal(ids, ref) {
			t.Fatalf("%s holds %d messages, %s %d: not the same set", s.Name, len(ids), snaps[0].Name, len(ref))
		}
	}
	return c
}

func short(id string) string {
	if len(id) > 12 {
		return id[len(id)-8:]
	}
	return id
}

// checkStores stops the daemons and reads every database: each must pass
// integrity_check. It returns the snapshots, with the DM conversations
// with peers, for the scenario's own checks.
func checkStores(t *testing.T, ds []*fleet.Daemon, peers ...string) []fleet.Snapshot {
	t.Helper()
	snaps, err := fleet.SnapshotAll(context.Background(), ds, peers...)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range snaps {
		if s.Integrity != nil {
			t.Fatalf("%s: integrity_check: %v", s.Name, s.Integrity)
		}
	}
	return snaps
}
