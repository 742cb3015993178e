package cli

import (
	"context"
	"fmt"

	"hallway/chat"
	"hallway/control"
)

// settingsVerbs are the sub-commands of `hallway settings`.
var settingsVerbs = subVerbs{list: []subVerb{
	{"show", "hallway settings [show] [--json]                 the settings the window also sets", exactly(0), settingsShow},
	{"read-receipts", "hallway settings read-receipts on|off [--json]   share how far you have read with your rooms' members", exactly(1), settingsReadReceipts},
}, more: "With read receipts off, your rooms still learn what your Hallway holds (delivered), not what you read."}

func runSettings(ctx context.Context, env *Env, dir string, p parsed) error {
	sub, args := "show", []string(nil)
	if len(p.pos) > 0 {
		sub, args = p.pos[0], p.pos[1:]
	}
	return settingsVerbs.dispatch(ctx, env, dir, sub, args, p)
}

func settingsShow(ctx context.Context, env *Env, dir string, _ []string, p parsed) error {
	prefs, err := control.NewClient(dir).Prefs(ctx)
	return printSettings(env, prefs, err, p)
}

func settingsReadReceipts(ctx context.Context, env *Env, dir string, args []string, p parsed) error {
	var off bool
	switch args[0] {
	case "on":
	case "off":
		off = true
	default:
		return chat.UserErrorf("read-receipts is on or off, not %q", args[0])
	}
	c := control.NewClient(dir)
	prefs, err := c.Prefs(ctx)
	if err != nil {
		return err
	}
	prefs.NoReadReceipts = off
	if err := c.SetPrefs(ctx, prefs); err != nil {
		return err
	}
	return printSettings(env, prefs, nil, p)
}

func printSettings(env *Env, prefs chat.Prefs, err error, p parsed) error {
	if err != nil {
		return err
	}
	if p.bools["json"] {
		return printJSON(env.Stdout, prefs)
	}
	onOff := map[bool]string{true: "on", false: "off"}
	fmt.Fprintf(env.Stdout, "read receipts   %s\n", onOff[!prefs.NoReadReceipts])
	fmt.Fprintf(env.Stdout, "notifications   %s\n", onOff[prefs.Notifications])
	fmt.Fprintf(env.Stdout, "theme           %s\n", prefs.Theme)
	return nil
}
