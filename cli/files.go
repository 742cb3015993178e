package cli

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"hallway/chat"
	"hallway/control"
)

var fileFlags = map[string]flagKind{"to": stringFlag, "wait": boolFlag, "timeout": stringFlag, "expire": stringFlag}

// fileVerbs are the sub-commands of `hallway file`.
var fileVerbs = subVerbs{list: []subVerb{
	{"send", "hallway file send PEER|#ROOM PATH [--expire 7d] offer a file or folder (in a room: shared 30 days)", exactly(2), fileSend},
	{"accept", "hallway file accept ID [--to DIR] [--wait] download an offer (default: the downloads folder)", exactly(1), fileAccept},
	{"decline", "hallway file decline ID                     refuse an offer (the sender is told)", exactly(1), fileDecline},
	{"cancel", "hallway file cancel ID                      withdraw an offer, or stop a download", exactly(1), fileCancel},
	{"unshare", "hallway file unshare ID                     stop serving a file you offered or downloaded, at once", exactly(1), fileUnshare},
	{"list", "hallway file list [--json]                  every transfer with its state, progress and share", exactly(0), runFileList},
}, more: "       hallway transfers [--json]                  the same as file list"}

func runFile(ctx context.Context, env *Env, dir string, p parsed) error {
	if len(p.pos) < 1 {
		return fmt.Errorf("%s", fileVerbs.usage())
	}
	return fileVerbs.dispatch(ctx, env, dir, p.pos[0], p.pos[1:], p)
}

func fileSend(ctx context.Context, env *Env, dir string, args []string, p parsed) error {
	path, err := filepath.Abs(args[1])
	if err != nil {
		return err
	}
	expire, err := expireFlag(p)
	if err != nil {
		return err
	}
	t, err := control.NewClient(dir).SendFile(ctx, args[0], path, expire)
	return printTransfer(env, t, err, p)
}

// expireFlag reads --expire: "7d", "12h", "90m"; 0 when not given.
func expireFlag(p parsed) (time.Duration, error) {
	s, ok := p.strs["expire"]
	if !ok {
		return 0, nil
	}
	d, err := parseExpire(s)
	if err != nil {
		return 0, fmt.Errorf("--expire: %v", err)
	}
	return d, nil
}

// parseExpire reads how long a file is shared: days ("30d"), or a Go
// duration ("12h", "90m"), from a minute to ten years.
func parseExpire(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	var d time.Duration
	if days, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(days)
		if err != nil || n <= 0 || n > 3650 {
			return 0, fmt.Errorf("%q is not a number of days from 1 to 3650, like 7d", s)
		}
		d = time.Duration(n) * 24 * time.Hour
	} else {
		var err error
		if d, err = time.ParseDuration(s); err != nil {
			return 0, fmt.Errorf("%q is not a time like 7d, 12h or 90m", s)
		}
	}
	if d < time.Minute || d > 3650*24*time.Hour {
		return 0, fmt.Errorf("%q: a share lasts from a minute to 3650 days", s)
	}
	return d, nil
}

func fileAccept(ctx context.Context, env *Env, dir string, args []string, p parsed) error {
	c := control.NewClient(dir)
	to := p.strs["to"]
	if to != "" {
		var err error
		if to, err = filepath.Abs(to); err != nil {
			return err
		}
	}
	if p.bools["wait"] {
		return acceptAndWait(ctx, env, c, args[0], to, p)
	}
	t, err := c.AcceptTransfer(ctx, args[0], to)
	return printTransfer(env, t, err, p)
}

func fileDecline(ctx context.Context, _ *Env, dir string, args []string, _ parsed) error {
	return control.NewClient(dir).DeclineTransfer(ctx, args[0])
}

func fileCancel(ctx context.Context, _ *Env, dir string, args []string, _ parsed) error {
	return control.NewClient(dir).CancelTransfer(ctx, args[0])
}

func fileUnshare(ctx context.Context, _ *Env, dir string, args []string, _ parsed) error {
	return control.NewClient(dir).UnshareTransfer(ctx, args[0])
}

func runFileList(ctx context.Context, env *Env, dir string, _ []string, p parsed) error {
	return runTransfers(ctx, env, dir, p)
}

// printTransfer prints the transfer a file sub-command returned.
func printTransfer(env *Env, t chat.Transfer, err error, p parsed) error {
	if err != nil {
		return err
	}
	if p.bools["json"] {
		return printJSON(env.Stdout, t)
	}
	fmt.Fprintf(env.Stdout, "%s  %s  %s  %s\n", safeLine(t.ID), safeLine(t.State), safeLine(t.Name), humanSize(t.Size))
	return nil
}

// acceptAndWait accepts and follows the transfer until it ends.
func acceptAndWait(ctx context.Context, env *Env, c *control.Client, id, to string, p parsed) error {
	timeout, err := durationFlag(p, "timeout", time.Hour)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	final := make(chan chat.Transfer, 1)
	ready := make(chan struct{})
	go c.Events(ctx, func() { close(ready) }, func(e control.WireEvent) bool {
		if e.Transfer != nil && e.Transfer.ID == id && isFinal(e.Transfer.State) {
			final <- *e.Transfer
			return false
		}
		return true
	})
	select {
	case <-ready:
	case <-ctx.Done():
		return ctx.Err()
	}
	t, err := c.AcceptTransfer(ctx, id, to)
	if err != nil {
		return err
	}
	if !isFinal(t.State) {
		select {
		case t = <-final:
		case <-ctx.Done():
			return fmt.Errorf("transfer %s not finished within %s", id, timeout)
		}
	}
	if p.bools["json"] {
		return printJSON(env.Stdout, t)
	}
	if t.State != "done" {
		return fmt.Errorf("%s: %s %s", t.Name, t.State, t.Error)
	}
	fmt.Fprintf(env.Stdout, "%s saved to %s\n", safeLine(t.Name), safeLine(t.FinalPath))
	return nil
}

func isFinal(state string) bool {
	return state == "done" || state == "failed" || state == "declined" || state == "cancelled"
}

func runTransfers(ctx context.Context, env *Env, dir string, p parsed) error {
	ts, err := control.NewClient(dir).Transfers(ctx)
	if err != nil {
		return err
	}
	if p.bools["json"] {
		if ts == nil {
			ts = []chat.Transfer{}
		}
		return printJSON(env.Stdout, ts)
	}
	return printTransfers(env.Stdout, ts)
}

// printTransfers prints the human form of file list.
func printTransfers(w io.Writer, ts []chat.Transfer) error {
	if len(ts) == 0 {
		fmt.Fprintln(w, "No transfers.")
		return nil
	}
	tw := table(w)
	fmt.Fprintln(tw, "ID\tDIR\tSTATE\tNAME\tSIZE\tDONE\tWITH\tSHARED")
	for _, t := range ts {
		pct := "-"
		if t.Size > 0 {
			pct = strconv.Itoa(int(100*t.BytesDone/t.Size)) + "%"
		}
		with := t.PeerName
		if chat.IsRoomConv(t.Conversation) {
			with = "room"
		}
		state := t.State
		if t.Error != "" && t.State != "done" {
			state += " (" + shorten(t.Error, 40) + ")"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", safeLine(t.ID), safeLine(t.Direction), safeLine(state), safeLine(t.Name),
			humanSize(t.Size), pct, safeLine(with), safeLine(shareColumn(t)))
	}
	return tw.Flush()
}

// shareColumn says whether this computer serves the content, until when,
// or why not.
func shareColumn(t chat.Transfer) string {
	switch t.Share {
	case "":
		return "-"
	case chat.ShareServing:
		if t.ExpiresAt.IsZero() {
			return "yes"
		}
		return "until " + t.ExpiresAt.Local().Format("2006-01-02 15:04")
	case chat.ShareExpired:
		return "expired"
	}
	if t.ShareNote != "" {
		return t.Share + " (" + shorten(t.ShareNote, 40) + ")"
	}
	return t.Share
}

func humanSize(n int64) string {
	const unit = 1000
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %cB", float64(n)/float64(div), "kMGTPE"[exp])
}
