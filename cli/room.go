package cli

import (
	"context"
	"fmt"
	"strings"
	"time"

	"hallway/chat"
	"hallway/control"
	hcrypto "hallway/crypto"
)

// roomVerbs are the sub-commands of `hallway room`.
var roomVerbs = subVerbs{list: []subVerb{
	{"list", "hallway room [list]                     your rooms (#general first), members, unread", nil, roomList},
	{"create", "hallway room create NAME                 a new room with a fresh key", atLeast(1), roomCreate},
	{"send", "hallway room send ROOM TEXT...           post to a room (or: hallway send #ROOM TEXT)", atLeast(2), roomSend},
	{"invite", "hallway room invite ROOM PEER            hand a colleague the room (end-to-end, through DMs); they accept it", atLeast(2), roomInvite},
	{"invites", "hallway room invites                     invitations waiting for you, with who sent them", exactly(0), roomInvites},
	{"accept", "hallway room accept ID                   join the room of an invitation", exactly(1), roomAccept},
	{"decline", "hallway room decline ID                  drop an invitation and its key (the sender is not told)", exactly(1), roomDecline},
	{"invite-code", "hallway room invite-code ROOM [--expires 24h] [--uses N] | --revoke [CODE]   a code for colleagues not connected yet", atLeast(1), roomInviteCode},
	{"join", "hallway room join CODE                   join with a code", atLeast(1), roomJoin},
	{"members", "hallway room members ROOM                members, their role (owner/admin/member) and presence", atLeast(1), roomMembers},
	{"remove", "hallway room remove ROOM PEER            remove a member (owners and admins)", exactly(2), roomRemove},
	{"role", "hallway room role ROOM PEER admin|member make a member an admin, or a member again (the owner)", exactly(3), roomRole},
	{"leave", "hallway room leave ROOM", atLeast(1), roomLeave},
}, more: "ROOM is #name (always a name) or room:ID (the id from hallway room list).\n" +
	"Nothing joins without you: a colleague's invitation waits until you accept it.\n" +
	"A room code works until it expires (--expires, default 24h, at most 30d) for --uses colleagues\n" +
	"(default: any number), at any member's Hallway; --revoke withdraws it (no CODE: every code of the room).\n" +
	"History: hallway history #ROOM"}

func runRoom(ctx context.Context, env *Env, dir string, p parsed) error {
	sub, args := "list", []string(nil)
	if len(p.pos) > 0 {
		sub, args = p.pos[0], p.pos[1:]
	}
	return roomVerbs.dispatch(ctx, env, dir, sub, args, p)
}

func roomList(ctx context.Context, env *Env, dir string, _ []string, p parsed) error {
	rooms, err := control.NewClient(dir).Rooms(ctx)
	if err != nil {
		return err
	}
	if p.bools["json"] {
		if rooms == nil {
			rooms = []chat.Room{}
		}
		return printJSON(env.Stdout, rooms)
	}
	printRooms(env, rooms)
	return nil
}

func roomCreate(ctx context.Context, env *Env, dir string, args []string, p parsed) error {
	r, err := control.NewClient(dir).CreateRoom(ctx, strings.Join(args, " "))
	return roomResult(env, p.bools["json"], r, err, "Created")
}

func roomJoin(ctx context.Context, env *Env, dir string, args []string, p parsed) error {
	r, err := control.NewClient(dir).JoinRoomCode(ctx, strings.Join(args, ""))
	return roomResult(env, p.bools["json"], r, err, "Joined")
}

func roomLeave(ctx context.Context, _ *Env, dir string, args []string, _ parsed) error {
	return control.NewClient(dir).LeaveRoom(ctx, args[0])
}

func roomSend(ctx context.Context, env *Env, dir string, args []string, p parsed) error {
	m, err := control.NewClient(dir).SendRoom(ctx, args[0], strings.Join(args[1:], " "))
	if err != nil {
		return err
	}
	if p.bools["json"] {
		return printJSON(env.Stdout, m)
	}
	fmt.Fprintln(env.Stdout, m.ID, m.State)
	return nil
}

func roomInvite(ctx context.Context, env *Env, dir string, args []string, p parsed) error {
	m, err := control.NewClient(dir).InviteToRoom(ctx, args[0], args[1])
	if err != nil {
		return err
	}
	if p.bools["json"] {
		return printJSON(env.Stdout, m)
	}
	fmt.Fprintf(env.Stdout, "Invitation %s %s (it waits while they are away; they join when they accept it)\n", m.ID, m.State)
	return nil
}

func roomInvites(ctx context.Context, env *Env, dir string, _ []string, p parsed) error {
	invs, err := control.NewClient(dir).RoomInvitations(ctx)
	if err != nil {
		return err
	}
	if p.bools["json"] {
		if invs == nil {
			invs = []chat.RoomInvitation{}
		}
		return printJSON(env.Stdout, invs)
	}
	if len(invs) == 0 {
		fmt.Fprintln(env.Stdout, "No invitations are waiting.")
		return nil
	}
	tw := table(env.Stdout)
	fmt.Fprintln(tw, "ID\tROOM\tFROM\tRECEIVED")
	for _, inv := range invs {
		room := "#" + safeLine(inv.Name)
		if inv.JoinsAs != inv.Name {
			room += " (joins as #" + safeLine(inv.JoinsAs) + ")"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", safeLine(inv.ID), room, safeLine(orUnknown(inv.FromName, inv.From)),
			inv.Time.Local().Format(time.DateTime))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(env.Stdout, "hallway room accept ID joins; hallway room decline ID drops it.")
	return nil
}

func roomAccept(ctx context.Context, env *Env, dir string, args []string, p parsed) error {
	r, err := control.NewClient(dir).AcceptRoomInvitation(ctx, args[0])
	return roomResult(env, p.bools["json"], r, err, "Joined")
}

func roomDecline(ctx context.Context, _ *Env, dir string, args []string, _ parsed) error {
	return control.NewClient(dir).DeclineRoomInvitation(ctx, args[0])
}

// roomFlags are the flags of `hallway room` sub-verbs.
var roomFlags = map[string]flagKind{"expires": stringFlag, "uses": stringFlag, "revoke": boolFlag}

func roomInviteCode(ctx context.Context, env *Env, dir string, args []string, p parsed) error {
	c := control.NewClient(dir)
	if p.bools["revoke"] {
		if _, ok := p.strs["expires"]; ok {
			return fmt.Errorf("--revoke takes no --expires")
		}
		code := strings.Join(args[1:], "")
		if err := c.RevokeRoomCode(ctx, args[0], code); err != nil {
			return err
		}
		if p.bools["json"] {
			return printJSON(env.Stdout, map[string]bool{"revoked": true})
		}
		if code == "" {
			fmt.Fprintln(env.Stdout, "Every code of the room is revoked.")
		} else {
			fmt.Fprintln(env.Stdout, "The code is revoked.")
		}
		return nil
	}
	if len(args) > 1 {
		return fmt.Errorf("usage: hallway room invite-code ROOM [--expires 24h] [--uses N] [--json]")
	}
	var expires time.Duration
	if s, ok := p.strs["expires"]; ok {
		var err error
		if expires, err = parseCodeExpiry(s); err != nil {
			return fmt.Errorf("--expires: %v", err)
		}
	}
	uses, err := intFlag(p, "uses", 0)
	if err != nil {
		return err
	}
	rc, err := c.IssueRoomCode(ctx, args[0], expires, uses)
	if err != nil {
		return err
	}
	if p.bools["json"] {
		return printJSON(env.Stdout, rc)
	}
	fmt.Fprintln(env.Stdout, rc.Code)
	left := "any number of colleagues"
	if rc.Uses > 0 {
		left = fmt.Sprintf("%d colleague(s)", rc.Uses)
	}
	// The code alone on stdout, so that code=$(hallway room invite-code #x) works.
	fmt.Fprintf(env.Stderr, "It works until %s for %s.\n", rc.ExpiresAt.Local().Format("2006-01-02 15:04 MST"), left)
	return nil
}

// parseCodeExpiry reads how long a room code works: days ("7d") or a Go
// duration ("2h", "90m"), from a minute to 30 days.
func parseCodeExpiry(s string) (time.Duration, error) {
	d, err := parseExpire(s)
	if err != nil {
		return 0, err
	}
	if d > hcrypto.MaxCodeLifetime {
		return 0, fmt.Errorf("%q: a code lasts at most 30 days", s)
	}
	return d, nil
}

func roomMembers(ctx context.Context, env *Env, dir string, args []string, p parsed) error {
	ms, err := control.NewClient(dir).RoomMembers(ctx, args[0])
	if err != nil {
		return err
	}
	if p.bools["json"] {
		if ms == nil {
			ms = []chat.RoomMember{}
		}
		return printJSON(env.Stdout, ms)
	}
	tw := table(env.Stdout)
	fmt.Fprintln(tw, "NAME\tROLE\tSTATUS\tFINGERPRINT\tPEER ID")
	for _, m := range ms {
		name := m.Name
		if m.You {
			name += " (you)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", safeLine(name), safeLine(m.Role), safeLine(statusLine(m.Status, m.StatusText)), hcrypto.ShortFingerprint(m.Fingerprint), safeLine(m.PeerID))
	}
	return tw.Flush()
}

func roomRemove(ctx context.Context, env *Env, dir string, args []string, _ parsed) error {
	if err := control.NewClient(dir).RemoveFromRoom(ctx, args[0], args[1]); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "Removed %s from %s\n", safeLine(args[1]), safeLine(args[0]))
	return nil
}

func roomRole(ctx context.Context, env *Env, dir string, args []string, _ parsed) error {
	if err := control.NewClient(dir).SetRoomRole(ctx, args[0], args[1], args[2]); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "%s is now %s in %s\n", safeLine(args[1]), safeLine(args[2]), safeLine(args[0]))
	return nil
}

func roomResult(env *Env, asJSON bool, r chat.Room, err error, verb string) error {
	if err != nil {
		return err
	}
	if asJSON {
		return printJSON(env.Stdout, r)
	}
	fmt.Fprintf(env.Stdout, "%s #%s (%s)\n", verb, safeLine(r.Name), safeLine(r.ID))
	return nil
}

func printRooms(env *Env, rooms []chat.Room) {
	tw := table(env.Stdout)
	fmt.Fprintln(tw, "ROOM\tMEMBERS\tUNREAD\tID")
	for _, r := range rooms {
		name := "#" + safeLine(r.Name)
		if r.OpenLAN {
			name += " (open mode: visible to every network this computer joins)"
		}
		if len(r.Forked) > 0 {
			name += fmt.Sprintf(" (FORKED: %d member(s) sent different versions of a message to different people; see --json)", len(r.Forked))
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%s\n", name, r.Members, r.Unread, safeLine(r.ID))
	}
	tw.Flush()
}
