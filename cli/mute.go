package cli

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"hallway/chat"
	"hallway/control"
)

var (
	muteFlags = map[string]flagKind{"level": stringFlag, "until": stringFlag, "off": boolFlag}
	dndFlags  = map[string]flagKind{"until": stringFlag, "off": boolFlag}
)

const untilHelp = "--until takes 1h, 30m, 2h30m, 2d, tomorrow (8:00), a date (2026-03-01) or a time (2026-03-01T14:30)"

// runMute sets a conversation's notification level, or lists the mutes in
// force.
func runMute(ctx context.Context, env *Env, dir string, p parsed) error {
	c := control.NewClient(dir)
	if len(p.pos) == 0 {
		prefs, err := c.Prefs(ctx)
		if err != nil {
			return err
		}
		return printMutes(env, prefs, p)
	}
	if len(p.pos) != 1 {
		return fmt.Errorf("usage: hallway %s", verbUsage("mute"))
	}
	level := chat.NotifyMentions
	if s, ok := p.strs["level"]; ok {
		l, err := chat.ParseNotifyLevel(s)
		if err != nil {
			return err
		}
		level = l
	}
	if p.bools["off"] {
		level = chat.NotifyAll
	}
	var until time.Time
	if s, ok := p.strs["until"]; ok {
		t, err := parseUntil(s, time.Now())
		if err != nil {
			return err
		}
		until = t
	}
	m, err := c.Mute(ctx, p.pos[0], level, until)
	if err != nil {
		return err
	}
	if p.bools["json"] {
		return printJSON(env.Stdout, m)
	}
	fmt.Fprintln(env.Stdout, muteLine(m))
	return nil
}

// runDND silences every notification until a time, or ends that.
func runDND(ctx context.Context, env *Env, dir string, p parsed) error {
	var until time.Time
	switch s, ok := p.strs["until"]; {
	case p.bools["off"]:
	case ok:
		t, err := parseUntil(s, time.Now())
		if err != nil {
			return err
		}
		until = t
	default:
		until = chat.TomorrowMorning(time.Now())
	}
	prefs, err := control.NewClient(dir).DoNotDisturb(ctx, until)
	if err != nil {
		return err
	}
	return printMutes(env, prefs, p)
}

func printMutes(env *Env, prefs chat.Prefs, p parsed) error {
	now := time.Now()
	var ms []chat.Mute
	for _, m := range prefs.Mutes {
		if m.LevelAt(now) != chat.NotifyAll {
			ms = append(ms, m)
		}
	}
	dnd := prefs.DoNotDisturbUntil
	if !now.Before(dnd) {
		dnd = time.Time{}
	}
	if p.bools["json"] {
		if ms == nil {
			ms = []chat.Mute{}
		}
		return printJSON(env.Stdout, struct {
			DoNotDisturbUntil time.Time   `json:"dnd_until,omitzero"`
			Mutes             []chat.Mute `json:"mutes"`
		}{dnd, ms})
	}
	if !dnd.IsZero() {
		fmt.Fprintf(env.Stdout, "do not disturb until %s\n", dnd.Local().Format("Mon 2 Jan 15:04"))
	}
	for _, m := range ms {
		fmt.Fprintln(env.Stdout, muteLine(m))
	}
	if dnd.IsZero() && len(ms) == 0 {
		fmt.Fprintln(env.Stdout, "Every conversation notifies.")
	}
	return nil
}

func muteLine(m chat.Mute) string {
	what := map[chat.NotifyLevel]string{chat.NotifyAll: "every message notifies", chat.NotifyMentions: "only mentions of you notify",
		chat.NotifyNone: "nothing notifies"}[m.Level]
	line := safeLine(m.Conversation) + ": " + what
	if !m.Until.IsZero() {
		line += " until " + m.Until.Local().Format("Mon 2 Jan 15:04")
	}
	return line
}

// parseUntil reads when a mute or do not disturb ends (untilHelp).
func parseUntil(s string, now time.Time) (time.Time, error) {
	s = strings.TrimSpace(s)
	if strings.EqualFold(s, "tomorrow") {
		return chat.TomorrowMorning(now), nil
	}
	if d, err := time.ParseDuration(s); err == nil && d > 0 {
		return now.Add(d), nil
	}
	if n, err := strconv.Atoi(strings.TrimSuffix(s, "d")); err == nil && n > 0 && strings.HasSuffix(s, "d") {
		return now.AddDate(0, 0, n), nil
	}
	if t, err := parseDate(s, false, now); err == nil && !strings.ContainsAny(s[len(s)-1:], "dhm") {
		if !t.After(now) {
			return time.Time{}, fmt.Errorf("%q has passed already", s)
		}
		return t, nil
	}
	return time.Time{}, fmt.Errorf("%q is not a time to mute until: %s", s, untilHelp)
}
