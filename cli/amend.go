package cli

import (
	"context"
	"fmt"
	"strings"

	"hallway/chat"
	"hallway/control"
)

// runAmend is the verb that sends a message of kind k about another:
// reply ID TEXT, edit ID TEXT, delete ID, react ID EMOJI.
func runAmend(k chat.Kind) func(ctx context.Context, env *Env, dir string, p parsed) error {
	return func(ctx context.Context, env *Env, dir string, p parsed) error {
		var text string
		switch {
		case k == chat.KindDelete && len(p.pos) == 1:
		case k == chat.KindReact && len(p.pos) == 2:
			text = p.pos[1]
		case (k == chat.KindReply || k == chat.KindEdit) && len(p.pos) >= 2:
			text = strings.Join(p.pos[1:], " ")
		default:
			return fmt.Errorf("usage: hallway %s", amendUsage[k])
		}
		m, err := control.NewClient(dir).Amend(ctx, k, p.pos[0], text)
		if err != nil {
			return err
		}
		if p.bools["json"] {
			return printJSON(env.Stdout, m)
		}
		fmt.Fprintf(env.Stdout, "%s %s %s\n", m.ID, m.Kind, m.State)
		return nil
	}
}

var amendUsage = map[chat.Kind]string{
	chat.KindReply:  "reply ID TEXT...",
	chat.KindEdit:   "edit ID TEXT...",
	chat.KindDelete: "delete ID",
	chat.KindReact:  "react ID EMOJI",
}

// amendLines are the lines history prints under a message for what was
// folded into it: the quote of a reply, the edited mark, the reactions.
func amendLines(m chat.Message) (before, after string) {
	if q := m.ReplyTo; q != nil {
		switch {
		case q.Missing:
			before = "    ↪ a message not received yet\n"
		case q.Deleted:
			before = "    ↪ " + safeLine(orUnknown(q.FromName, q.From)) + ": (message deleted)\n"
		default:
			before = "    ↪ " + safeLine(orUnknown(q.FromName, q.From)) + ": " + safeLine(q.Text) + "\n"
		}
	}
	if m.Edited {
		after += fmt.Sprintf("    (edited, %d earlier version(s))\n", len(m.Versions))
	}
	if len(m.Reactions) > 0 {
		var rs []string
		for _, r := range m.Reactions {
			rs = append(rs, fmt.Sprintf("%s %d", safeLine(r.Emoji), r.Count))
		}
		after += "    " + strings.Join(rs, "  ") + "\n"
	}
	return before, after
}
