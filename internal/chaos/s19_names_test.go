package chaos

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"hallway/archive"
	"hallway/chat"
	"hallway/internal/fleet"
)

// s19Claims are the ways a post's envelope can claim a verified
// colleague's name (Ann): hidden characters, bidi controls, letters of
// other scripts and forms that look the same, and the name itself.
// hidden says the claim holds a character no profile name may carry.
var s19Claims = []struct {
	what, name string
	hidden     bool
}{
	{"zero-width space", "A\u200bnn", true},
	{"zero-width joiner", "An\u200dn", true},
	{"word joiner", "Ann\u2060", true},
	{"zero-width no-break space", "\ufeffAnn", true},
	{"right-to-left override", "\u202ennA", true},
	{"left-to-right isolate", "\u2066Ann\u2069", true},
	{"soft hyphen", "An\u00adn", true},
	{"Cyrillic A", "\u0410nn", false},
	{"Greek Alpha", "\u0391nn", false},
	{"full-width letters", "\uff21\uff4e\uff4e", false},
	{"capitals", "ANN", false},
	{"the name itself", "Ann", false},
}

// S19: a member posts to a room under a verified colleague's name,
// written every way that could pass for it. Each post shows under the
// name of its author's own key: none while the key was never met (hidden
// characters), the claim with a warning when it looks like Ann, and the
// member's own profile name once its key is known; never as Ann, never
// verified. The export names the member's key beside every post and
// still proves each one.
func TestS19NameClaimsInRooms(t *testing.T) {
	r := scenario(t, "S19", "a room post whose envelope claims the name of a verified colleague, with zero-width or look-alike characters",
		"shown under the author's own key-bound name with the warning; the export names the key")
	l := lab(t, 3)
	ds := fleet.Office(t, l, []string{"Ann", "Bob"})
	ann, bob := ds[0], ds[1]
	annID := ann.ID()
	bob.CLI("verify", annID, "--yes")
	fleet.Room(t, ds, "proj")
	room, key := roomSecret(t, ann, "proj")
	adv := hostile(t, l.Host(3), nil)
	victims := infiltrate(t, adv, ds)
	if err := adv.Join(room, key); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), deadline(2*time.Minute, 10*time.Minute))
	defer cancel()
	if err := adv.WaitTopicPeers(ctx, room, victims...); err != nil {
		t.Fatal(err)
	}
	advID := adv.ID().String()
	seq := uint64(0)
	postAll := func(phase string) []string {
		var texts []string
		for _, c := range s19Claims {
			seq++
			text := fmt.Sprintf("%s: %s", phase, c.what)
			env, err := adv.PostAs(key, room, seq, c.name, text)
			if err != nil {
				t.Fatal(err)
			}
			if err := adv.Publish(ctx, room, env.Marshal()); err != nil {
				t.Fatal(err)
			}
			texts = append(texts, text)
		}
		return texts
	}
	arrived := func(d *fleet.Daemon, texts []string) map[string]chat.Message {
		byText := map[string]chat.Message{}
		d.WaitFor("the member's posts", 60*time.Second, func() bool {
			for _, m := range d.History("#proj") {
				byText[m.Text] = m
			}
			for _, text := range texts {
				if _, ok := byText[text]; !ok {
					return false
				}
			}
			return true
		})
		return byText
	}

	// Phase 1: the member's key was never met.
	unmet := postAll("never met")
	warned, nameless := 0, 0
	for _, d := range ds {
		got := arrived(d, unmet)
		for i, c := range s19Claims {
			m := got[unmet[i]]
			if m.From != advID || m.FromVerified {
				t.Fatalf("%s shows the %s claim as %q from %s (verified %v)", d.Name, c.what, m.FromName, m.From, m.FromVerified)
			}
			switch {
			case c.hidden:
				if m.FromName != "" {
					t.Fatalf("%s shows the %s claim under %q", d.Name, c.what, m.FromName)
				}
				nameless++
			case m.FromName != c.name || m.FromWarning == nil || m.FromWarning.Kind != chat.WarnImpersonation || m.FromWarning.Of != annID:
				// Bob verified Ann, and Ann is Ann: a look-alike of her
				// name from another key is an impersonation to both.
				t.Fatalf("%s shows the %s claim as %q without the impersonation warning: %+v", d.Name, c.what, m.FromName, m.FromWarning)
			default:
				warned++
			}
		}
	}
	r.measure(t, "key never met: %d claims at 2 members (Bob verified Ann; Ann herself): the %d with hidden characters shown with no name, by the key (%d of %d); the %d look-alikes shown as written with the impersonation warning (%d of %d); 0 verified",
		len(s19Claims), nameless/2, nameless, nameless, len(s19Claims)-nameless/2, warned, 2*len(s19Claims)-nameless)

	// Phase 2: the member's key is known under its profile name.
	for i, d := range ds {
		if err := adv.PushProfile(ctx, victims[i], "Mallory"); err != nil {
			t.Fatal(err)
		}
		d.WaitFor("the member's profile", 30*time.Second, func() bool { return d.Sees(advID, "Mallory") })
	}
	met := postAll("met")
	shown := 0
	for _, d := range ds {
		got := arrived(d, append(met, unmet...))
		for _, m := range got {
			if m.From != advID {
				continue
			}
			if m.FromName != "Mallory" || m.FromVerified || m.FromWarning != nil {
				t.Fatalf("%s shows %q as %q (verified %v, warning %+v), want its key's name Mallory", d.Name, m.Text, m.FromName, m.FromVerified, m.FromWarning)
			}
			shown++
		}
		if out := d.CLI("history", "#proj"); strings.Contains(out, "\u200b") || strings.Contains(out, "\u202e") {
			t.Fatalf("%s's command line shows a claim's hidden character", d.Name)
		}
	}
	if m := arrived(bob, []string{"met: the name itself"})["met: the name itself"]; m.FromName != "Mallory" {
		t.Fatalf("a plain claim of Ann's name shown as %q", m.FromName)
	}
	r.measure(t, "key met as Mallory: %d of %d posts (old and new) shown as Mallory on both members, none verified or warned; command line shows no hidden character", shown, 2*2*len(s19Claims))

	// The export names the key and proves every claim, hidden characters
	// included.
	body, html := bob.ExportProved("#proj")
	var member archive.Author
	for _, a := range body.Authors {
		if a.PeerID == advID {
			member = a
		}
	}
	if member.Name != "Mallory" || member.Fingerprint == "" || member.Verified {
		t.Fatalf("the export names the member's key as %+v", member)
	}
	claims := 0
	for _, m := range body.Messages {
		if m.From == advID && m.Kind == "text" {
			claims++
		}
	}
	visible := string(html[:strings.Index(string(html), `<script type="application/json"`)])
	who := `<span class="who">Mallory</span> <span class="fp">` + strings.Join(strings.Fields(member.Fingerprint)[:2], " ") + `</span> <span class="claim">signed as`
	if n := strings.Count(visible, who); n != claims || claims != 2*len(s19Claims) {
		t.Fatalf("the page shows %d of %d claims (%d posted) under the member's key and fingerprint", n, claims, 2*len(s19Claims))
	}
	for _, c := range s19Claims {
		if c.hidden && strings.Contains(visible, c.name) {
			t.Fatalf("the page shows the %s claim as written", c.what)
		}
	}
	r.measure(t, "export: %d posts of the member, each with its key (from = its peer id; authors: Mallory, fingerprint %s), the claim quoted apart with hidden characters escaped; verify-export ok for JSON and HTML",
		claims, member.Fingerprint)
}
