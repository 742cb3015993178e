package cli

import (
	"context"
	"fmt"
	"io"
	"strings"

	"hallway/chat"
	"hallway/control"
	hcrypto "hallway/crypto"
)

var blockFlags = map[string]flagKind{"reason": stringFlag}

const (
	blockUsage   = "block PEER [--reason TEXT] [--json]   (refuse their connections; keep and show nothing they send)"
	unblockUsage = "unblock PEER [--json]"
	blockedUsage = "blocked [--json]   (the colleagues you blocked)"
)

func runBlock(ctx context.Context, env *Env, dir string, p parsed) error {
	if len(p.pos) != 1 {
		return fmt.Errorf("usage: hallway %s", blockUsage)
	}
	b, err := control.NewClient(dir).Block(ctx, p.pos[0], p.strs["reason"])
	if err != nil {
		return err
	}
	if p.bools["json"] {
		return printJSON(env.Stdout, b)
	}
	fmt.Fprintf(env.Stdout, "Blocked %s. Their connections are refused, and nothing they send is kept or shown.\nUndo with: hallway unblock %s\n",
		blockName(b), safeLine(b.PeerID))
	return nil
}

func runUnblock(ctx context.Context, env *Env, dir string, p parsed) error {
	if len(p.pos) != 1 {
		return fmt.Errorf("usage: hallway %s", unblockUsage)
	}
	b, err := control.NewClient(dir).Unblock(ctx, p.pos[0])
	if err != nil {
		return err
	}
	if p.bools["json"] {
		return printJSON(env.Stdout, b)
	}
	fmt.Fprintf(env.Stdout, "Unblocked %s.\n", blockName(b))
	return nil
}

func runBlocked(ctx context.Context, env *Env, dir string, p parsed) error {
	if len(p.pos) != 0 {
		return fmt.Errorf("usage: hallway %s", blockedUsage)
	}
	list, err := control.NewClient(dir).Blocked(ctx)
	if err != nil {
		return err
	}
	if p.bools["json"] {
		if list == nil {
			list = []chat.Block{}
		}
		return printJSON(env.Stdout, list)
	}
	printBlocks(env.Stdout, list)
	return nil
}

// blockName is how a blocked colleague is named in a sentence.
func blockName(b chat.Block) string {
	if b.Name == "" {
		return safeLine(b.PeerID)
	}
	return fmt.Sprintf("%s#%s", safeLine(b.Name), hcrypto.ShortFingerprint(b.Fingerprint))
}

func printBlocks(w io.Writer, list []chat.Block) {
	if len(list) == 0 {
		fmt.Fprintln(w, "Nobody is blocked.")
		return
	}
	tw := table(w)
	fmt.Fprintln(tw, "NAME\tSINCE\tREASON\tPEER ID")
	for _, b := range list {
		name := b.Name
		if name == "" {
			name = "(unknown)"
		}
		reason := strings.TrimSpace(b.Reason)
		if reason == "" {
			reason = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", safeLine(name), b.At.Local().Format("2 Jan 2006 15:04"), safeLine(shorten(reason, 60)), safeLine(b.PeerID))
	}
	tw.Flush()
}
