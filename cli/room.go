package cli

import (
	"context"
	"fmt"
	"strings"

	"hallway/control"
	"hallway/core"
	hcrypto "hallway/crypto"
)

const roomUsage = `usage: hallway room [list]                     your rooms (#general first), members, unread
       hallway room create NAME                 a new room with a fresh key
       hallway room send ROOM TEXT...           post to a room (or: hallway send #ROOM TEXT)
       hallway room invite ROOM PEER            hand a colleague the room (end-to-end, through DMs)
       hallway room invite-code ROOM            a code for colleagues not connected yet
       hallway room join CODE                   join with a code
       hallway room members ROOM                members and their presence
       hallway room leave ROOM
ROOM is #name or the room id. History: hallway history #ROOM`

func runRoom(ctx context.Context, env *Env, dir string, p parsed) error {
	c := control.NewClient(dir)
	sub, args := "list", []string(nil)
	if len(p.pos) > 0 {
		sub, args = p.pos[0], p.pos[1:]
	}
	need := func(n int) error {
		if len(args) < n {
			return fmt.Errorf("%s", roomUsage)
		}
		return nil
	}
	asJSON := p.bools["json"]
	switch sub {
	case "list":
		rooms, err := c.Rooms(ctx)
		if err != nil {
			return err
		}
		if asJSON {
			if rooms == nil {
				rooms = []core.Room{}
			}
			return printJSON(env.Stdout, rooms)
		}
		printRooms(env, rooms)
		return nil
	case "create":
		if err := need(1); err != nil {
			return err
		}
		r, err := c.CreateRoom(ctx, strings.Join(args, " "))
		return roomResult(env, asJSON, r, err, "Created")
	case "join":
		if err := need(1); err != nil {
			return err
		}
		r, err := c.JoinRoomCode(ctx, strings.Join(args, ""))
		return roomResult(env, asJSON, r, err, "Joined")
	case "leave":
		if err := need(1); err != nil {
			return err
		}
		return c.LeaveRoom(ctx, args[0])
	case "send":
		if err := need(2); err != nil {
			return err
		}
		m, err := c.SendRoom(ctx, args[0], strings.Join(args[1:], " "))
		if err != nil {
			return err
		}
		if asJSON {
			return printJSON(env.Stdout, m)
		}
		fmt.Fprintln(env.Stdout, m.ID, m.State)
		return nil
	case "invite":
		if err := need(2); err != nil {
			return err
		}
		m, err := c.InviteToRoom(ctx, args[0], args[1])
		if err != nil {
			return err
		}
		if asJSON {
			return printJSON(env.Stdout, m)
		}
		fmt.Fprintf(env.Stdout, "Invitation %s %s (it waits while they are away)\n", m.ID, m.State)
		return nil
	case "invite-code":
		if err := need(1); err != nil {
			return err
		}
		code, err := c.RoomInviteCode(ctx, args[0])
		if err != nil {
			return err
		}
		if asJSON {
			return printJSON(env.Stdout, map[string]string{"code": code})
		}
		fmt.Fprintln(env.Stdout, code)
		return nil
	case "members":
		if err := need(1); err != nil {
			return err
		}
		ms, err := c.RoomMembers(ctx, args[0])
		if err != nil {
			return err
		}
		if asJSON {
			if ms == nil {
				ms = []core.RoomMember{}
			}
			return printJSON(env.Stdout, ms)
		}
		tw := table(env.Stdout)
		fmt.Fprintln(tw, "NAME\tSTATUS\tFINGERPRINT\tPEER ID")
		for _, m := range ms {
			name := m.Name
			if m.You {
				name += " (you)"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", name, statusLine(m.Status, m.StatusText), hcrypto.ShortFingerprint(m.Fingerprint), m.PeerID)
		}
		return tw.Flush()
	}
	return fmt.Errorf("%s", roomUsage)
}

func roomResult(env *Env, asJSON bool, r core.Room, err error, verb string) error {
	if err != nil {
		return err
	}
	if asJSON {
		return printJSON(env.Stdout, r)
	}
	fmt.Fprintf(env.Stdout, "%s #%s (%s)\n", verb, r.Name, r.ID)
	return nil
}

func printRooms(env *Env, rooms []core.Room) {
	tw := table(env.Stdout)
	fmt.Fprintln(tw, "ROOM\tMEMBERS\tUNREAD\tID")
	for _, r := range rooms {
		name := "#" + r.Name
		if r.OpenLAN {
			name += " (open LAN: readable by anyone on this network)"
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%s\n", name, r.Members, r.Unread, r.ID)
	}
	tw.Flush()
}
