package core

import (
	"bytes"
	"context"
	"crypto/rand"
	"os"
	"path/filepath"
	"testing"
)

// Both ways of carrying chunks deliver the same bytes: the bulk lane, and
// libp2p streams when the source does not offer a lane.
func TestTransferOverBothLanes(t *testing.T) {
	for _, tc := range []struct {
		name   string
		noBulk bool
	}{{"bulk lane", false}, {"streams", true}} {
		t.Run(tc.name, func(t *testing.T) {
			ann := startNodeWith(t, Config{DataDir: t.TempDir(), Name: "Ann", Files: FilesConfig{NoBulkLane: tc.noBulk}})
			dl := t.TempDir()
			bob := startNodeWith(t, Config{Name: "Bob", StaticPeers: []string{ann.addr()}, Files: FilesConfig{Downloads: dl}})
			ann.waitOnline(bob, "Bob")
			content := make([]byte, 9<<20+12345) // a short last chunk too
			rand.Read(content)
			p := filepath.Join(t.TempDir(), "data.bin")
			if err := os.WriteFile(p, content, 0o600); err != nil {
				t.Fatal(err)
			}
			tr, err := ann.SendFile(context.Background(), "Bob", p, 0)
			if err != nil {
				t.Fatal(err)
			}
			bob.waitFor("offer", func() bool { return bob.transfer(tr.ID).State == "offered" })
			if _, err := bob.AcceptTransfer(context.Background(), tr.ID, ""); err != nil {
				t.Fatal(err)
			}
			got := bob.waitTransferState(tr.ID, "done")
			b, err := os.ReadFile(got.FinalPath)
			if err != nil || !bytes.Equal(b, content) {
				t.Fatalf("received file differs (%v)", err)
			}
			if served := ann.node.BulkLanesServed(); (served > 0) == tc.noBulk {
				t.Fatalf("%d bulk lanes served with the lane off=%v", served, tc.noBulk)
			}
		})
	}
}
