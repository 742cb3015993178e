package transfer

import (
	"context"
	"strings"
	"sync"
	"testing"

	"hallway/chat"
	"hallway/files"
	"hallway/policy"
	"hallway/storage"
)

// fakeWorkspace is a workspace policy an admin may change at any time.
type fakeWorkspace struct {
	mu  sync.Mutex
	doc policy.Document
}

func (w *fakeWorkspace) WorkspacePolicy() policy.Document {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.doc
}

func (w *fakeWorkspace) set(d policy.Document) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.doc = d
}

func governedRig(t *testing.T, cfg Config, doc policy.Document) (*rig, *fakeWorkspace) {
	t.Helper()
	r := newRig(t, cfg)
	w := &fakeWorkspace{doc: doc}
	r.ws = w
	return r, w
}

// The workspace's file rules hold over a member's own looser ones, on
// receipt, and whenever the policy changes.
func TestWorkspacePolicyRefusesOnReceipt(t *testing.T) {
	ctx := context.Background()
	conv := chat.DMConv(ann.String()).String()

	r, w := governedRig(t, Config{Policy: roomy}, policy.Document{Version: 1, Files: policy.Files{Blocked: []string{".bin"}}})
	sh := share(t, "data.bin", 1000)
	r.net.src, r.net.connected[ann] = sh.source(sh.path), true
	r.OfferReceived(ctx, ann, conv, sh.offer)
	if _, err := r.Accept(ctx, sh.offer.ID, t.TempDir()); err == nil || !strings.Contains(chat.UserMessage(err), ".bin files are not accepted") {
		t.Fatalf("accepting a type the workspace blocks: %v", err)
	}
	if got := r.state(t, sh.offer.ID); got.State != storage.TransferDeclined {
		t.Fatalf("left %s", got.State)
	}

	// The next version caps sizes: an offer over it is declined on arrival.
	w.set(policy.Document{Version: 2, Files: policy.Files{MaxSize: 5}})
	big := validOffer(strings.Repeat("5", 32), 10)
	r.OfferReceived(ctx, ann, conv, big)
	if got := r.state(t, big.ID); got.State != storage.TransferDeclined || !strings.Contains(got.Error, "5 B limit") {
		t.Fatalf("an offer over the workspace's limit: %+v", got)
	}
	// And one that turns transfers off declines everything.
	w.set(policy.Document{Version: 3, Files: policy.Files{Disabled: true}})
	small := validOffer(strings.Repeat("6", 32), 1)
	r.OfferReceived(ctx, ann, conv, small)
	if got := r.state(t, small.ID); got.State != storage.TransferDeclined {
		t.Fatalf("an offer with transfers off by policy: %+v", got)
	}
}

// A member's own setting may accept without asking only up to the
// workspace's ceiling.
func TestWorkspacePolicyCapsAutoAccept(t *testing.T) {
	r, _ := governedRig(t, Config{Policy: roomy, AutoAcceptMax: 1 << 20}, policy.Document{Version: 1, Files: policy.Files{AutoAcceptMax: 100}})
	if got := r.autoAcceptMax(); got != 100 {
		t.Fatalf("auto-accept up to %d, want the workspace's 100", got)
	}
	r, _ = governedRig(t, Config{Policy: roomy, AutoAcceptMax: 50}, policy.Document{Version: 1, Files: policy.Files{AutoAcceptMax: 100}})
	if got := r.autoAcceptMax(); got != 50 {
		t.Fatalf("auto-accept up to %d, want the member's own 50", got)
	}
}

// Nothing the workspace refuses leaves a member's node either.
func TestWorkspacePolicyRefusesOnSend(t *testing.T) {
	for _, tc := range []struct {
		name string
		doc  policy.Document
		file string
		want string
	}{
		{"blocked type", policy.Document{Version: 1, Files: policy.Files{Blocked: []string{".exe"}}}, "setup.exe", ".exe files are not accepted"},
		{"not an allowed type", policy.Document{Version: 1, Files: policy.Files{Allowed: []string{".pdf"}}}, "notes.txt", "only .pdf files are accepted"},
		{"over the size limit", policy.Document{Version: 1, Files: policy.Files{MaxSize: 5}}, "big.txt", "limit"},
		{"transfers off", policy.Document{Version: 1, Files: policy.Files{Disabled: true}}, "a.txt", "turns file transfer off"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, _ := governedRig(t, Config{Policy: files.Policy{}}, tc.doc)
			_, err := r.SendFile(context.Background(), "Ann", content(t, tc.file, 10), 0)
			if err == nil || !strings.Contains(chat.UserMessage(err), tc.want) || !strings.Contains(chat.UserMessage(err), "workspace policy") {
				t.Fatalf("got %v, want %q", err, tc.want)
			}
			if ts, _ := r.store.Transfers(context.Background()); len(ts) != 0 {
				t.Fatalf("%d transfers recorded", len(ts))
			}
		})
	}
	// What the policy allows goes.
	r, _ := governedRig(t, Config{}, policy.Document{Version: 1, Files: policy.Files{Blocked: []string{".exe"}}})
	if _, err := r.SendFile(context.Background(), "Ann", content(t, "report.pdf", 10), 0); err != nil {
		t.Fatal(err)
	}
}
