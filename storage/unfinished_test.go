package storage

import (
	"slices"
	"strings"
	"testing"
	"time"
)

// Only the downloads under way or paused are listed, newest first; what
// was sent, finished, refused or given up is not, however much of it the
// history holds.
func TestUnfinishedDownloadsListsOnlyThem(t *testing.T) {
	s := newTestStore(t)
	ctx := t.Context()
	if ts, err := s.UnfinishedDownloads(ctx); err != nil || ts != nil {
		t.Fatalf("UnfinishedDownloads of an empty store = %v, %v; want nil, nil", ts, err)
	}
	for i, c := range []struct {
		id, dir, state string
	}{
		{"in-active", TransferIn, TransferActive},
		{"in-done", TransferIn, TransferDone},
		{"in-paused", TransferIn, TransferPaused},
		{"in-offered", TransferIn, TransferOffered},
		{"in-failed", TransferIn, TransferFailed},
		{"in-cancelled", TransferIn, TransferCancelled},
		{"out-active", TransferOut, TransferActive},
		{"out-paused", TransferOut, TransferPaused},
		{"in-active-2", TransferIn, TransferActive},
	} {
		tr := sampleTransfer(c.id)
		tr.Direction, tr.State = c.dir, c.state
		tr.CreatedAt = transferT0.Add(time.Duration(i) * time.Minute)
		tr.UpdatedAt = tr.CreatedAt
		if _, err := s.InsertTransfer(ctx, tr); err != nil {
			t.Fatal(err)
		}
	}
	ts, err := s.UnfinishedDownloads(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := transferIDs(ts), []string{"in-active-2", "in-paused", "in-active"}; !slices.Equal(got, want) {
		t.Errorf("UnfinishedDownloads = %v, want %v", got, want)
	}
	// A download that finishes leaves the list.
	done := TransferDone
	if err := s.UpdateTransfer(ctx, "in-paused", TransferUpdate{State: &done}); err != nil {
		t.Fatal(err)
	}
	ts, err = s.UnfinishedDownloads(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := transferIDs(ts), []string{"in-active-2", "in-active"}; !slices.Equal(got, want) {
		t.Errorf("after one finished, UnfinishedDownloads = %v, want %v", got, want)
	}
}

// The lookup runs on every connection: it must find the unfinished by
// their state's index, not read every transfer ever made.
func TestUnfinishedDownloadsUseTheStateIndex(t *testing.T) {
	s := newTestStore(t)
	plan := strings.Join(queryPlan(t, s, unfinishedDownloadsSQL, TransferActive, TransferPaused, TransferIn), "; ")
	if !strings.Contains(plan, "USING INDEX transfers_state") || strings.Contains(plan, "SCAN transfers") {
		t.Errorf("plan %q: want a search of transfers_state, no scan of the table", plan)
	}
}
