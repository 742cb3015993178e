package e2e

import (
	"slices"
	"strings"
	"testing"
	"time"

	"hallway/chat"
	"hallway/internal/fleet"
	"hallway/internal/netlab"
)

// find is the message with id in d's history of ref.
func find(d *fleet.Daemon, ref, id string) (chat.Message, bool) {
	h := d.History(ref)
	i := slices.IndexFunc(h, func(m chat.Message) bool { return m.ID == id })
	if i < 0 {
		return chat.Message{}, false
	}
	return h[i], true
}

// reactionLine sums up the reactions of m as "emoji:count:by,..." in order.
func reactionLine(m chat.Message) string {
	var parts []string
	for _, r := range m.Reactions {
		parts = append(parts, r.Emoji+":"+strings.Join(r.By, ","))
	}
	return strings.Join(parts, " ")
}

// Replies, edits, deletes and reactions through the command line of four
// real daemons, one of them cut off while the others amend: all four end
// with the same conversation, and the export proves every version.
func TestAmendmentsConvergeAcrossAPartition(t *testing.T) {
	lab := netlab.New(t, 4)
	ds := fleet.Office(t, lab, []string{"Ann", "Bob", "Cat", "Dan"})
	ann, bob, cat, dan := ds[0], ds[1], ds[2], ds[3]
	fleet.Room(t, ds, "ops")
	standup := fleet.Decode[chat.Message](t, ann.CLI("send", "#ops", "standup at 9", "--json"))
	deploy := fleet.Decode[chat.Message](t, bob.CLI("send", "#ops", "deploy on friday", "--json"))
	for _, d := range ds {
		d.WaitFor("both posts", 15*time.Second, func() bool {
			_, a := find(d, "#ops", standup.ID)
			_, b := find(d, "#ops", deploy.ID)
			return a && b
		})
	}
	if _, err := cat.CLIErr("edit", standup.ID, "cancelled"); err == nil || !strings.Contains(err.Error(), "only its author") {
		t.Fatalf("Cat edited Ann's message: %v", err)
	}

	lab.Cut(4) // Dan is cut off while everyone amends
	ann.CLI("edit", standup.ID, "standup at 9:30")
	reply := fleet.Decode[chat.Message](t, bob.CLI("reply", standup.ID, "fine by me", "--json"))
	cat.CLI("react", standup.ID, "👍")
	bob.CLI("delete", deploy.ID)
	dan.CLI("react", standup.ID, "🎉")
	danReply := fleet.Decode[chat.Message](t, dan.CLI("reply", deploy.ID, "which friday?", "--json"))
	dan.CLI("react", deploy.ID, "👀") // Dan has not heard of the delete: his reaction goes with it
	ping := fleet.Decode[chat.Message](t, cat.CLI("send", "#ops", "@Dan can you take friday?", "--json"))
	lab.Heal(4)

	want := map[string]string{}
	for _, d := range ds {
		d.WaitFor("the amendments", 60*time.Second, func() bool {
			s, ok1 := find(d, "#ops", standup.ID)
			dp, ok2 := find(d, "#ops", deploy.ID)
			r, ok3 := find(d, "#ops", reply.ID)
			dr, ok4 := find(d, "#ops", danReply.ID)
			return ok1 && ok2 && ok3 && ok4 && s.Edited && len(s.Reactions) == 2 && dp.Deleted &&
				r.ReplyTo != nil && r.ReplyTo.Text == "standup at 9:30" && dr.ReplyTo != nil && dr.ReplyTo.Deleted
		})
		s, _ := find(d, "#ops", standup.ID)
		dp, _ := find(d, "#ops", deploy.ID)
		if s.Text != "standup at 9:30" || len(s.Versions) != 1 || s.Versions[0].Text != "standup at 9" {
			t.Errorf("%s: the edited post is %+v", d.Name, s)
		}
		if dp.Text != "" || dp.Reactions != nil {
			t.Errorf("%s: the deleted post still shows %q %+v", d.Name, dp.Text, dp.Reactions)
		}
		want[d.Name] = reactionLine(s)
	}
	for _, d := range ds {
		if want[d.Name] != want["Ann"] {
			t.Errorf("%s shows reactions %q, Ann %q", d.Name, want[d.Name], want["Ann"])
		}
	}
	// The mention is Dan's key on every member, and Dan finds it.
	for _, d := range ds {
		d.WaitFor("the mention", 30*time.Second, func() bool {
			m, ok := find(d, "#ops", ping.ID)
			return ok && slices.Equal(m.Mentions, []string{dan.ID()})
		})
	}
	hits := fleet.Decode[[]chat.SearchHit](t, dan.CLI("search", "--mentions", "--json"))
	if len(hits) != 1 || hits[0].ID != ping.ID || hits[0].Text != "@Dan can you take friday?" {
		t.Errorf("Dan's mentions: %+v", hits)
	}

	// A reaction toggles off, on every member.
	cat.CLI("react", standup.ID, "👍")
	for _, d := range ds {
		d.WaitFor("Cat's 👍 off", 15*time.Second, func() bool {
			s, _ := find(d, "#ops", standup.ID)
			return len(s.Reactions) == 1 && s.Reactions[0].Emoji == "🎉"
		})
	}

	// Direct messages take the same verbs.
	dm := fleet.Decode[chat.Message](t, ann.CLI("send", "Dan", "lunch at 1?", "--json"))
	dan.WaitFor("Ann's DM", 15*time.Second, func() bool { _, ok := find(dan, ann.ID(), dm.ID); return ok })
	ann.CLI("edit", dm.ID, "lunch at noon?")
	dan.CLI("react", dm.ID, "👍")
	for _, c := range []struct {
		d    *fleet.Daemon
		conv string
	}{{ann, dan.ID()}, {dan, ann.ID()}} {
		c.d.WaitFor("the DM amended", 15*time.Second, func() bool {
			m, _ := find(c.d, c.conv, dm.ID)
			return m.Text == "lunch at noon?" && len(m.Reactions) == 1
		})
	}

	// Every version is in the record, and the record verifies.
	body, _ := cat.ExportProved("#ops")
	var kinds []string
	for _, m := range body.Messages {
		kinds = append(kinds, m.Kind)
	}
	for _, k := range []string{"edit", "reply", "react", "unreact", "delete"} {
		if !slices.Contains(kinds, k) {
			t.Errorf("the export has no %s: %v", k, kinds)
		}
	}
}
