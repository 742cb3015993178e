package cli

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"hallway/chat"
	"hallway/control"
)

var (
	sendFlags    = map[string]flagKind{"wait": boolFlag, "timeout": stringFlag}
	historyFlags = map[string]flagKind{"limit": stringFlag, "before": stringFlag}
)

func runID(ctx context.Context, env *Env, dir string, p parsed) error {
	me, err := control.NewClient(dir).Self(ctx)
	if err != nil {
		return err
	}
	if p.bools["json"] {
		return printJSON(env.Stdout, me)
	}
	printSelf(env.Stdout, me)
	return nil
}

var peersFlags = map[string]flagKind{"yes": boolFlag}

const peersAddUsage = "usage: hallway peers add MULTIADDR | HOST[:PORT] [--yes]"

func runPeers(ctx context.Context, env *Env, dir string, p parsed) error {
	c := control.NewClient(dir)
	if len(p.pos) > 0 {
		if p.pos[0] != "add" || len(p.pos) != 2 {
			return errors.New(peersAddUsage)
		}
		return peersAdd(ctx, env, c, p.pos[1], p)
	}
	if p.bools["yes"] {
		return errors.New(peersAddUsage)
	}
	peers, err := c.Peers(ctx)
	if err != nil {
		return err
	}
	if p.bools["json"] {
		if peers == nil {
			peers = []chat.Colleague{}
		}
		return printJSON(env.Stdout, peers)
	}
	printPeers(env.Stdout, peers)
	return nil
}

// peersAdd saves a colleague's full address at once; for a host name or
// IP it first shows who answers there, and saves them with --yes.
func peersAdd(ctx context.Context, env *Env, c *control.Client, addr string, p parsed) error {
	res, err := c.AddPeer(ctx, addr)
	if err != nil {
		return err
	}
	if !res.Saved && res.PeerID != "" && p.bools["yes"] {
		found := res
		if res, err = c.AddPeer(ctx, found.Addr); err != nil {
			return err
		}
		res.Name, res.Fingerprint = found.Name, found.Fingerprint
	}
	if p.bools["json"] {
		return printJSON(env.Stdout, res)
	}
	if res.Name != "" || res.Fingerprint != "" {
		tw := table(env.Stdout)
		fmt.Fprintf(tw, "At %s answers:\t%s\n", safeLine(addr), safeLine(cmp.Or(res.Name, "(no name yet)")))
		fmt.Fprintf(tw, "Fingerprint:\t%s\n", safeLine(res.Fingerprint))
		fmt.Fprintf(tw, "Address:\t%s\n", safeLine(res.Addr))
		tw.Flush()
	}
	switch {
	case !res.Saved:
		fmt.Fprintf(env.Stdout, "Not saved. If that is your colleague (compare the fingerprint with their window), save them:\n  hallway peers add %s --yes\n", safeLine(addr))
	case res.Connected:
		fmt.Fprintf(env.Stdout, "Saved and connected to %s\n", res.PeerID)
	default:
		fmt.Fprintf(env.Stdout, "Saved %s; Hallway keeps trying it. Not connected now: %s\n", res.PeerID, safeLine(res.Problem))
	}
	return nil
}

func runSend(ctx context.Context, env *Env, dir string, p parsed) error {
	if len(p.pos) < 2 {
		return fmt.Errorf("usage: hallway send PEER TEXT (TEXT - reads standard input)")
	}
	text := strings.Join(p.pos[1:], " ")
	if text == "-" {
		b, err := io.ReadAll(io.LimitReader(env.Stdin, chat.MaxTextBytes+1))
		if err != nil {
			return fmt.Errorf("read message from standard input: %w", err)
		}
		text = strings.TrimRight(string(b), "\n")
	}
	c := control.NewClient(dir)
	timeout, err := durationFlag(p, "timeout", 30*time.Second)
	if err != nil {
		return err
	}
	var delivered chan struct{}
	var msgID string
	var stopWatch context.CancelFunc
	idKnown := make(chan struct{})
	if p.bools["wait"] {
		// Follow events before sending, so the delivery cannot slip by.
		var wctx context.Context
		wctx, stopWatch = context.WithCancel(ctx)
		defer stopWatch()
		delivered = make(chan struct{})
		ready := make(chan struct{})
		go func() {
			c.Events(wctx, func() { close(ready) }, func(e control.WireEvent) bool {
				if e.Type != "message_delivered" || e.Message == nil {
					return true
				}
				<-idKnown
				if e.Message.ID == msgID {
					close(delivered)
					return false
				}
				return true
			})
		}()
		select {
		case <-ready:
		case <-time.After(5 * time.Second):
			return fmt.Errorf("could not follow delivery: %w", control.NewClient(dir).Ping(ctx))
		}
	}
	m, err := c.Send(ctx, p.pos[0], text)
	msgID = m.ID
	close(idKnown)
	if err != nil {
		return err
	}
	if delivered != nil {
		select {
		case <-delivered:
			m.State = "delivered"
		case <-time.After(timeout):
			return fmt.Errorf("message %s is saved and queued, but was not delivered within %s", m.ID, timeout)
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	if p.bools["json"] {
		return printJSON(env.Stdout, m)
	}
	fmt.Fprintf(env.Stdout, "%s %s\n", m.ID, m.State)
	return nil
}

func durationFlag(p parsed, name string, def time.Duration) (time.Duration, error) {
	s, ok := p.strs[name]
	if !ok {
		return def, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("--%s takes a duration like 30s or 2m", name)
	}
	return d, nil
}

func runHistory(ctx context.Context, env *Env, dir string, p parsed) error {
	if len(p.pos) != 1 {
		return fmt.Errorf("usage: hallway history PEER [--limit N] [--before SEQ] [--json]")
	}
	limit, err := intFlag(p, "limit", 100)
	if err != nil {
		return err
	}
	before, err := intFlag(p, "before", 0)
	if err != nil {
		return err
	}
	msgs, err := control.NewClient(dir).History(ctx, p.pos[0], int64(before), limit)
	if err != nil {
		return err
	}
	if p.bools["json"] {
		if msgs == nil {
			msgs = []chat.Message{}
		}
		return printJSON(env.Stdout, msgs)
	}
	printMessages(env.Stdout, msgs, keyNames(ctx, control.NewClient(dir)))
	return nil
}

// keyNames names keys as the running node knows them (the peer id where
// it knows no name), for the mentions a message makes.
func keyNames(ctx context.Context, c *control.Client) func(id string) string {
	names := map[string]string{}
	if peers, err := c.Peers(ctx); err == nil {
		for _, p := range peers {
			names[p.PeerID] = p.Name
		}
	}
	if me, err := c.Self(ctx); err == nil {
		names[me.PeerID] = me.Name
	}
	return func(id string) string {
		if n := names[id]; n != "" {
			return n
		}
		return id
	}
}

func intFlag(p parsed, name string, def int) (int, error) {
	s, ok := p.strs[name]
	if !ok {
		return def, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("--%s takes a whole number", name)
	}
	return n, nil
}

func runStatus(ctx context.Context, env *Env, dir string, p parsed) error {
	c := control.NewClient(dir)
	if len(p.pos) > 0 {
		if err := c.SetStatus(ctx, p.pos[0], strings.Join(p.pos[1:], " ")); err != nil {
			return err
		}
	}
	me, err := c.Self(ctx)
	if err != nil {
		return err
	}
	if p.bools["json"] {
		return printJSON(env.Stdout, map[string]string{"status": me.Status, "status_text": me.StatusText})
	}
	fmt.Fprintln(env.Stdout, safeLine(statusLine(me.Status, me.StatusText)))
	return nil
}

func runName(ctx context.Context, env *Env, dir string, p parsed) error {
	if len(p.pos) == 0 {
		return fmt.Errorf("usage: hallway name NEW NAME")
	}
	return control.NewClient(dir).SetName(ctx, strings.Join(p.pos, " "))
}

func runWatch(ctx context.Context, env *Env, dir string, p parsed) error {
	err := control.NewClient(dir).Events(ctx, nil, func(e control.WireEvent) bool {
		if p.bools["json"] {
			b, _ := jsonLine(e)
			fmt.Fprintln(env.Stdout, b)
			return true
		}
		fmt.Fprintln(env.Stdout, describeEvent(e))
		return true
	})
	if errors.Is(err, context.Canceled) {
		return nil
	}
	return err
}

func describeEvent(e control.WireEvent) string {
	switch {
	case e.Type == control.TypeLagged:
		return fmt.Sprintf("%s: %d events were skipped; what you follow may be out of date, so re-read it (hallway peers, hallway room list, hallway history PEER)", e.Type, e.Missed)
	case e.Message != nil:
		who := authorLabel(e.Message.FromName, e.Message.From, e.Message.FromVerified, e.Message.FromWarning)
		return fmt.Sprintf("%s %s %s: %s", e.Message.Time.Local().Format(time.TimeOnly), e.Type, who, safeText(e.Message.Text, "    "))
	case e.Peer != nil:
		return fmt.Sprintf("%s %s (%s)", e.Type, safeLine(e.Peer.Name), safeLine(statusLine(e.Peer.Status, e.Peer.StatusText)))
	case e.Invitation != nil:
		inv := e.Invitation
		return fmt.Sprintf("%s %s: #%s from %s (hallway room invites)", e.Type, safeLine(inv.State), safeLine(inv.Name),
			safeLine(orUnknown(inv.FromName, inv.From)))
	case e.Self != nil:
		return fmt.Sprintf("%s %s (%s)", e.Type, safeLine(e.Self.Name), safeLine(statusLine(e.Self.Status, e.Self.StatusText)))
	case e.Nearby != nil:
		var b strings.Builder
		printNearby(&b, *e.Nearby, false)
		return e.Type + " " + strings.TrimSpace(strings.ReplaceAll(b.String(), "\n", ";"))
	}
	return e.Type
}

func runVersion(_ context.Context, env *Env, _ string, _ parsed) error {
	if env.RunWindow == nil {
		fmt.Fprintln(env.Stdout, "hallway "+Version+" (headless: no window)")
		return nil
	}
	fmt.Fprintln(env.Stdout, "hallway "+Version)
	return nil
}
