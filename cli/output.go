package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"hallway/chat"
	"hallway/core"
	hcrypto "hallway/crypto"
)

func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func table(w io.Writer) *tabwriter.Writer { return tabwriter.NewWriter(w, 2, 4, 2, ' ', 0) }

// openLANWarning is what `hallway id` says about the open LAN workspace.
const openLANWarning = "#general is visible to every network this computer joins (home, office, hotel Wi-Fi)"

func workspaceLine(me chat.Self) string {
	if me.Workspace == core.WorkspacePrivate {
		return "private (tag " + me.WorkspaceTag + "): only colleagues with the workspace key can connect"
	}
	return "open LAN: anyone on this network can connect (`hallway workspace create` makes it private)"
}

func printSelf(w io.Writer, me chat.Self) {
	tw := table(w)
	fmt.Fprintf(tw, "Name:\t%s\n", safeLine(me.Name))
	fmt.Fprintf(tw, "Status:\t%s\n", safeLine(statusLine(me.Status, me.StatusText)))
	fmt.Fprintf(tw, "Peer ID:\t%s\n", me.PeerID)
	fmt.Fprintf(tw, "Fingerprint:\t%s\n", me.Fingerprint)
	fmt.Fprintf(tw, "Workspace:\t%s\n", workspaceLine(me))
	if me.Workspace != core.WorkspacePrivate {
		fmt.Fprintf(tw, "\t%s\n", openLANWarning)
	}
	if me.OtherWorkspaces > 0 {
		fmt.Fprintf(tw, "\t%d other Hallway(s) on this LAN use another workspace\n", me.OtherWorkspaces)
	}
	for i, a := range me.Addrs {
		label := ""
		if i == 0 {
			label = "Addresses:"
		}
		fmt.Fprintf(tw, "%s\t%s\n", label, a)
	}
	fmt.Fprintf(tw, "Data:\t%s\n", me.DataDir)
	tw.Flush()
}

func statusLine(status, text string) string {
	if text == "" {
		return status
	}
	return status + " — " + text
}

func printPeers(w io.Writer, peers []chat.Colleague) {
	if len(peers) == 0 {
		fmt.Fprintln(w, "No colleagues yet. They appear here when Hallway finds them on the LAN;")
		fmt.Fprintln(w, "where multicast is blocked, add one with: hallway peers add /ip4/ADDR/tcp/PORT/p2p/PEERID")
		return
	}
	tw := table(w)
	fmt.Fprintln(tw, "NAME\tSTATUS\tFINGERPRINT\tPEER ID")
	for _, c := range peers {
		name := c.Name
		if name == "" {
			name = "(unknown)"
		}
		if c.NameShared {
			name += " ⚠ name shared"
		}
		st := statusLine(c.Status, c.StatusText)
		switch {
		case c.Blocked:
			st = "blocked"
		case !c.Online && c.Problem != "":
			st += " (" + shorten(c.Problem, 60) + ")"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", safeLine(name), safeLine(st), hcrypto.ShortFingerprint(c.Fingerprint), safeLine(c.PeerID))
	}
	tw.Flush()
}

func shorten(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

// printMessages prints a conversation for a person; name names the keys
// its mentions name.
func printMessages(w io.Writer, msgs []chat.Message, name func(id string) string) {
	for _, m := range msgs {
		who := authorLabel(m.FromName, m.From, m.FromVerified, m.FromWarning)
		mark := ""
		if m.Outgoing {
			mark = " ✓"
			if m.State == "sent" {
				mark = " (waiting)"
			}
			if r := m.Receipts; r != nil {
				mark = " (" + chat.ReceiptLine(*r) + ")"
			}
		}
		if what, ok := map[string]string{"join": "joined", "leave": "left", "create": "", "add": "", "remove": "", "role": ""}[m.Kind]; ok {
			if what == "" {
				what = safeLine(m.Text)
			}
			fmt.Fprintf(w, "%s  — %s %s\n", m.Time.Local().Format(time.DateTime), who, what)
			continue
		}
		text := safeText(chat.RenderMentions(m.Text, name), "    ")
		if m.Deleted {
			text = "(message deleted)"
		}
		before, after := amendLines(m)
		fmt.Fprintf(w, "%s  %s%s\n%s    %s\n%s", m.Time.Local().Format(time.DateTime), who, mark, before, text, after)
	}
}

// authorLabel names a message's author as the node knows their key (the
// peer id when it knows no name): a verified colleague is marked, and a
// name that is also another key's carries its warning.
func authorLabel(name, id string, verified bool, w *chat.NameWarning) string {
	s := safeLine(orUnknown(name, id))
	if verified {
		s += " [verified]"
	}
	if w != nil {
		s += " [⚠ " + safeLine(w.Message) + "]"
	}
	return s
}

func jsonLine(v any) (string, error) {
	b, err := json.Marshal(v)
	return string(b), err
}
