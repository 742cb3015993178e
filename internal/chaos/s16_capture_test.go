package chaos

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"hallway/internal/adversary"
	"hallway/internal/fleet"
	"hallway/internal/netlab"
)

// S16: an eavesdropper records every frame on the office LAN while three
// colleagues use Hallway normally: direct messages, a room, presence with
// a status text, an invitation, a file. None of the message texts, display
// names, room name, status text, file name or file content appears in the
// capture.
func TestS16PacketCapture(t *testing.T) {
	r := scenario(t, "S16", "capture all traffic during ten minutes of normal use",
		"0 message texts, names or room names readable in the capture")
	dur := pick(15*time.Second, 10*time.Minute)
	l := lab(t, 3)
	names := []string{"Quentin Marlowe", "Zelda Featherstone", "Xavier Pomfrey"}
	ds := []*fleet.Daemon{
		fleet.New(t, l.Host(1), names[0]), fleet.New(t, l.Host(2), names[1]), fleet.New(t, l.Host(3), names[2]),
	}
	privateOffice(t, ds)
	const (
		room       = "zanzibar-launch"
		dmText     = "the vault code is PLUM-7781-KESTREL"
		roomText   = "launch window moved to thursday dawn"
		statusText = "at the dentist until three"
		fileName   = "merger-plans-2027.txt"
		fileText   = "CONFIDENTIAL-BALANCE-SHEET-ROW"
		control    = "CAPTURE-CONTROL-MARKER-PLAINTEXT"
	)
	markers := append([]string{room, dmText, roomText, statusText, fileName, fileText, control,
		"PLUM-7781", "thursday dawn", "zanzibar"}, names...)
	for _, n := range names {
		markers = append(markers, strings.Fields(n)...)
	}
	// The eavesdropper listens on the switch, where every frame passes.
	capture, err := adversary.StartCapture(&netlab.Host{NS: l.Switch}, markers...)
	if err != nil {
		t.Fatal(err)
	}
	defer capture.Stop()

	fleet.StartAll(t, ds)
	fleet.WaitMesh(t, ds, 30*time.Second)
	fleet.Room(t, ds, room)
	src := filepath.Join(t.TempDir(), fileName)
	os.WriteFile(src, []byte(strings.Repeat(fileText+"\n", 1000)), 0o600)
	ids := make([]string, len(ds))
	for i, d := range ds {
		ids[i] = d.ID()
	}

	ctx, stop := context.WithTimeout(context.Background(), dur)
	defer stop()
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	rounds, files := 0, 0
	for ctx.Err() == nil {
		select {
		case <-ctx.Done():
			continue
		case <-tick.C:
		}
		a, b := ds[rounds%3], ds[(rounds+1)%3]
		a.CLI("send", ids[(rounds+1)%3], fmt.Sprintf("%s (%d)", dmText, rounds))
		b.CLI("send", "#"+room, fmt.Sprintf("%s (%d)", roomText, rounds))
		ds[(rounds+2)%3].CLI("status", "away", statusText)
		if rounds%5 == 0 {
			id := offerFile(t, a, b, src)
			b.CLI("file", "accept", id, "--to", t.TempDir(), "--wait")
			files++
		}
		rounds++
	}
	// A plaintext datagram proves the eavesdropper hears the LAN.
	err = l.Host(1).Do(func() error {
		c, err := net.Dial("udp4", l.Host(2).IP.String()+":9")
		if err != nil {
			return err
		}
		defer c.Close()
		_, err = c.Write([]byte(control))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	ds[0].WaitForErr("the control datagram", 5*time.Second, func() bool { h, _ := capture.Hits(); return h[control] > 0 })
	capture.Stop()
	frames, bytes := capture.Frames()
	hits, samples := capture.Hits()
	if hits[control] == 0 {
		t.Fatalf("the capture missed a plaintext datagram: it hears nothing (%d frames)", frames)
	}
	for _, m := range markers {
		if m != control && hits[m] > 0 {
			t.Errorf("%q readable in %d captured frames, e.g. %q", m, hits[m], samples[m])
		}
	}
	checkStores(t, ds, ids...)
	r.measure(t, "%s of use (%d rounds: %d DMs, %d room posts, %d status changes, %d file transfers, invitations): %d frames, %d KiB captured on the switch; %d secrets searched (texts, names and their parts, room name, status text, file name and content): 0 found; a plaintext control datagram was found",
		dur, rounds, rounds, rounds, rounds, files, frames, bytes>>10, len(markers)-1)
}
