package records

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"

	"hallway/chat"
	"hallway/storage"
)

// kicked reports whether a sweep was asked for, and takes the request.
func kicked(k *Keeper) bool {
	select {
	case <-k.sweeper.kicks:
		return true
	default:
		return false
	}
}

func TestHoldAndRelease(t *testing.T) {
	w := newWorld(t)
	ctx := t.Context()
	h, err := w.k.PlaceHold(ctx, "#project", "  audit 2026  ")
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^hold-[0-9a-f]{12}$`).MatchString(h.ID) {
		t.Errorf("hold id %q", h.ID)
	}
	if h.Scope != chat.RoomConv("r1").String() || h.Conversation != "#project" || h.Name != "project" || h.Reason != "audit 2026" {
		t.Errorf("hold %+v", h)
	}
	ws, err := w.k.PlaceHold(ctx, "", "")
	if err != nil || ws.Scope != storage.ScopeWorkspace || ws.Conversation != "" {
		t.Fatalf("workspace hold %+v, %v", ws, err)
	}
	st, err := w.k.Retention(ctx)
	if err != nil || len(st.Holds) != 2 {
		t.Fatalf("status %+v, %v", st, err)
	}
	kicked(w.k)
	released, err := w.k.ReleaseHold(ctx, " "+h.ID+" ")
	if err != nil || released.ID != h.ID || released.ReleasedAt.IsZero() {
		t.Fatalf("release: %+v, %v", released, err)
	}
	if !kicked(w.k) {
		t.Error("a release did not ask for a sweep")
	}
	var ue *chat.UserError
	if _, err := w.k.ReleaseHold(ctx, h.ID); !errors.As(err, &ue) {
		t.Errorf("releasing twice: %v", err)
	}
	for name, reason := range map[string]string{"too long": strings.Repeat("x", maxHoldReason+1), "two lines": "a\nb"} {
		if _, err := w.k.PlaceHold(ctx, "", reason); !errors.As(err, &ue) {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, err := w.k.PlaceHold(ctx, "#nowhere", ""); !errors.Is(err, chat.ErrUnknownRoom) {
		t.Errorf("a hold on no conversation: %v", err)
	}
	if st, _ := w.k.Retention(ctx); len(st.Holds) != 1 {
		t.Errorf("holds in force %+v", st.Holds)
	}
}

func TestSetRetention(t *testing.T) {
	w := newWorld(t)
	ctx := t.Context()
	if _, err := w.k.SetRetention(ctx, "", 30); err != nil {
		t.Fatal(err)
	}
	if !kicked(w.k) {
		t.Error("a new policy did not ask for a sweep")
	}
	st, err := w.k.SetRetention(ctx, "Bob", 10)
	if err != nil {
		t.Fatal(err)
	}
	if st.WorkspaceDays != 30 || len(st.Policies) != 2 || st.Policies[1].Conversation != w.bob.String() ||
		st.Policies[1].Name != "Bob" || st.Policies[1].Days != 10 || st.SweepEvery != "1h0m0s" {
		t.Errorf("status %+v", st)
	}
	if st, err = w.k.SetRetention(ctx, "Bob", RetentionInherit); err != nil || len(st.Policies) != 1 {
		t.Errorf("inherit: %+v, %v", st, err)
	}
	var ue *chat.UserError
	for _, bad := range []int{-2, storage.MaxRetentionDays + 1} {
		if _, err := w.k.SetRetention(ctx, "", bad); !errors.As(err, &ue) {
			t.Errorf("SetRetention(%d): %v", bad, err)
		}
	}
}

// A sweep that deleted something removes the partial downloads of the
// deleted transfers (and nothing else), records itself and announces it.
func TestSweepCleansUpRecordsAndAnnounces(t *testing.T) {
	w := newWorld(t)
	dir := t.TempDir()
	partial := filepath.Join(dir, ".plan.pdf.ab12.partial")
	other := filepath.Join(dir, "plan.pdf")
	for _, p := range []string{partial, other} {
		if err := os.WriteFile(p, []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	kept := []string{other}
	link := filepath.Join(dir, ".link.partial")
	err := os.Symlink(other, link)
	if err == nil {
		_, err = os.Lstat(link)
	}
	if err == nil {
		kept = append(kept, link)
	} else if runtime.GOOS == "windows" {
		// Wine makes the link but cannot stat it; on Windows without
		// the symlink privilege there is no link to test.
		t.Logf("no symbolic link case here: %v", err)
	} else {
		t.Fatal(err)
	}
	w.store.expired = storage.ExpiryResult{Messages: 3, Transfers: 1, Partials: []string{partial, other, link, "relative/.x.partial"}}
	res, err := w.k.ApplyRetention(t.Context())
	if err != nil || res.Messages != 3 || res.Transfers != 1 {
		t.Fatalf("sweep %+v, %v", res, err)
	}
	if _, err := os.Stat(partial); !os.IsNotExist(err) {
		t.Error("the partial download stayed")
	}
	for _, p := range kept {
		if _, err := os.Lstat(p); err != nil {
			t.Errorf("%s was removed", p)
		}
	}
	ev := w.events.all()
	if len(ev) != 1 {
		t.Fatalf("events %+v", ev)
	}
	if e, ok := ev[0].(chat.HistoryExpired); !ok || e.Result.Messages != 3 {
		t.Errorf("event %+v", ev[0])
	}
	st, err := w.k.Retention(t.Context())
	if err != nil || st.LastSweep == nil || st.LastSweep.Messages != 3 {
		t.Errorf("last sweep %+v, %v", st.LastSweep, err)
	}
	var rec chat.SweepResult
	if err := json.Unmarshal([]byte(w.store.settings[settingLastSweep]), &rec); err != nil || rec.Transfers != 1 {
		t.Errorf("recorded %q", w.store.settings[settingLastSweep])
	}

	// A sweep that deleted nothing is recorded but not announced.
	w.store.expired = storage.ExpiryResult{}
	if _, err := w.k.ApplyRetention(t.Context()); err != nil {
		t.Fatal(err)
	}
	if n := len(w.events.all()); n != 1 {
		t.Errorf("%d events after an empty sweep", n)
	}
}
