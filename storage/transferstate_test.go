package storage

import (
	"bytes"
	"errors"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestUpdateTransfer(t *testing.T) {
	s := newTestStore(t)
	ctx := t.Context()
	want := sampleTransfer("t1")
	if _, err := s.InsertTransfer(ctx, want); err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		name    string
		update  TransferUpdate
		apply   func(*Transfer) // the change expected besides UpdatedAt
		wantErr bool
	}{
		{name: "nothing but the time", apply: func(*Transfer) {}},
		{
			name:   "accept into a folder",
			update: TransferUpdate{State: new(TransferActive), DestDir: new("/home/ada/Downloads")},
			apply:  func(t *Transfer) { t.State, t.DestDir = TransferActive, "/home/ada/Downloads" },
		},
		{
			name:   "manifest fetched",
			update: TransferUpdate{Manifest: []byte("manifest")},
			apply:  func(t *Transfer) { t.Manifest = []byte("manifest") },
		},
		{
			name:   "empty manifest keeps the fetched one",
			update: TransferUpdate{Manifest: []byte{}},
			apply:  func(*Transfer) {},
		},
		{
			name:   "partial path",
			update: TransferUpdate{PartialPath: new("/home/ada/Downloads/.report.pdf.part")},
			apply:  func(t *Transfer) { t.PartialPath = "/home/ada/Downloads/.report.pdf.part" },
		},
		{
			name:   "fail",
			update: TransferUpdate{State: new(TransferFailed), Error: new("disk full")},
			apply:  func(t *Transfer) { t.State, t.Error = TransferFailed, "disk full" },
		},
		{
			name:   "error cleared on resume",
			update: TransferUpdate{State: new(TransferActive), Error: new("")},
			apply:  func(t *Transfer) { t.State, t.Error = TransferActive, "" },
		},
		{
			name:   "done",
			update: TransferUpdate{State: new(TransferDone), FinalPath: new("/home/ada/Downloads/report.pdf")},
			apply:  func(t *Transfer) { t.State, t.FinalPath = TransferDone, "/home/ada/Downloads/report.pdf" },
		},
		{
			name:    "unknown state changes nothing",
			update:  TransferUpdate{State: new("lost"), Error: new("x")},
			wantErr: true,
		},
	}
	for _, st := range steps {
		before := now()
		err := s.UpdateTransfer(ctx, "t1", st.update)
		if st.wantErr != (err != nil) {
			t.Fatalf("%s: UpdateTransfer err = %v, want error %v", st.name, err, st.wantErr)
		}
		got, err := s.Transfer(ctx, "t1")
		if err != nil {
			t.Fatalf("%s: Transfer: %v", st.name, err)
		}
		if !st.wantErr {
			st.apply(&want)
			if got.UpdatedAt.Before(before) {
				t.Errorf("%s: UpdatedAt %v not bumped (update began %v)", st.name, got.UpdatedAt, before)
			}
			want.UpdatedAt = got.UpdatedAt
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: Transfer =\n  %+v\nwant\n  %+v", st.name, got, want)
		}
	}
}

func TestSaveProgress(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "hallway.db")
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { s.Close() }()
	if _, err := s.InsertTransfer(ctx, sampleTransfer("t1")); err != nil {
		t.Fatal(err)
	}
	big := make([]byte, 8<<10) // 64 Ki chunks
	for i := range big {
		big[i] = byte(i*7 + i>>8)
	}
	steps := []struct {
		name      string
		bytesDone int64
		have      []byte
		want      []byte
	}{
		{name: "first chunk", bytesDone: 1 << 16, have: []byte{0x01}, want: []byte{0x01}},
		{name: "8 KiB bitmap", bytesDone: 1 << 30, have: big, want: big},
		{name: "shrunk after a rebuild", bytesDone: 3 << 16, have: []byte{0x07, 0, 0}, want: []byte{0x07, 0, 0}},
		{name: "nothing verified", bytesDone: 0, have: nil, want: nil},
		{name: "8 KiB again", bytesDone: 1<<30 + 1, have: big, want: big},
	}
	for _, st := range steps {
		before := now()
		if err := s.SaveProgress(ctx, "t1", st.bytesDone, st.have); err != nil {
			t.Fatalf("%s: SaveProgress: %v", st.name, err)
		}
		got, err := s.Transfer(ctx, "t1")
		if err != nil {
			t.Fatalf("%s: Transfer: %v", st.name, err)
		}
		if got.BytesDone != st.bytesDone || !bytes.Equal(got.Have, st.want) || (got.Have == nil) != (st.want == nil) {
			t.Errorf("%s: progress = %d, %d bytes of bitmap; want %d, %d bytes",
				st.name, got.BytesDone, len(got.Have), st.bytesDone, len(st.want))
		}
		if got.UpdatedAt.Before(before) || got.State != TransferOffered {
			t.Errorf("%s: UpdatedAt %v (began %v), state %q", st.name, got.UpdatedAt, before, got.State)
		}
	}
	// Replicated commits must leave the writer at FULL for the next commit.
	var sync int
	if err := s.writer.QueryRowContext(ctx, "PRAGMA synchronous").Scan(&sync); err != nil || sync != 2 {
		t.Errorf("synchronous after SaveProgress = %d (%v), want 2 (FULL)", sync, err)
	}
	if err := s.SaveProgress(ctx, "t1", -1, nil); err == nil || errors.Is(err, ErrNoTransfer) {
		t.Errorf("SaveProgress with negative bytes: err = %v, want a validation error", err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s, err = Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := s.Transfer(ctx, "t1"); err != nil || got.BytesDone != 1<<30+1 || !bytes.Equal(got.Have, big) {
		t.Errorf("after reopen: %d, %d bytes of bitmap, %v; want %d, %d bytes",
			got.BytesDone, len(got.Have), err, 1<<30+1, len(big))
	}
}

func TestServable(t *testing.T) {
	const hash = "h"
	tr := func(id, dir, state, manifestHash string) Transfer {
		t := sampleTransfer(id)
		t.Direction, t.State, t.ManifestHash = dir, state, manifestHash
		if dir == TransferOut {
			t.SourcePath = "/share/" + id
		} else if state == TransferDone {
			t.DestDir, t.FinalPath = "/dl", "/dl/"+id
		}
		return t
	}
	noFinalPath := tr("in-done", TransferIn, TransferDone, hash)
	noFinalPath.FinalPath = ""
	tests := []struct {
		name   string
		stored []Transfer
		want   []string // ids of the copies found, best first
	}{
		{name: "nothing stored"},
		{
			name: "downloads not complete",
			stored: []Transfer{tr("offered", TransferIn, TransferOffered, hash), tr("active", TransferIn, TransferActive, hash),
				tr("paused", TransferIn, TransferPaused, hash), tr("failed", TransferIn, TransferFailed, hash),
				tr("declined", TransferIn, TransferDeclined, hash), tr("cancelled", TransferIn, TransferCancelled, hash)},
		},
		{name: "cancelled offer", stored: []Transfer{tr("out", TransferOut, TransferCancelled, hash)}},
		{name: "complete copy of other content", stored: []Transfer{tr("in", TransferIn, TransferDone, "other")}},
		{name: "done without a final path", stored: []Transfer{noFinalPath}},
		{name: "completed download", stored: []Transfer{tr("in", TransferIn, TransferActive, hash), tr("done", TransferIn, TransferDone, hash)}, want: []string{"done"}},
		{name: "own offer", stored: []Transfer{tr("out", TransferOut, TransferOffered, hash)}, want: []string{"out"}},
		{name: "own offer the peer declined", stored: []Transfer{tr("out", TransferOut, TransferDeclined, hash)}, want: []string{"out"}},
		{
			name:   "own offer before a download",
			stored: []Transfer{tr("done", TransferIn, TransferDone, hash), tr("out", TransferOut, TransferDone, hash)},
			want:   []string{"out", "done"},
		},
		{
			name:   "download despite a cancelled offer",
			stored: []Transfer{tr("dead", TransferOut, TransferCancelled, hash), tr("done", TransferIn, TransferDone, hash)},
			want:   []string{"done"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newTestStore(t)
			ctx := t.Context()
			for _, st := range tc.stored {
				if _, err := s.InsertTransfer(ctx, st); err != nil {
					t.Fatal(err)
				}
			}
			got, err := s.Servable(ctx, hash)
			if ids := transferIDs(got); err != nil || !slices.Equal(ids, tc.want) {
				t.Fatalf("Servable = %q, %v; want %q", ids, err, tc.want)
			}
			for _, g := range got {
				if stored, err := s.Transfer(ctx, g.ID); err != nil || !reflect.DeepEqual(g, stored) {
					t.Errorf("Servable returned\n  %+v\nstored is\n  %+v (%v)", g, stored, err)
				}
			}
		})
	}
}

// A room file may be downloaded by everyone in the office; finding a copy to
// serve must not read every transfer ever made.
func TestServableUsesIndex(t *testing.T) {
	s := newTestStore(t)
	plan := queryPlan(t, s, servableSQL, "h", TransferOut, TransferCancelled, TransferIn, TransferDone, maxServable)
	if !slices.ContainsFunc(plan, func(d string) bool { return strings.Contains(d, "transfers_manifest (manifest_hash=?)") }) {
		t.Errorf("plan does not use transfers_manifest: %q", plan)
	}
}

// A share's expiry and whether it is still served survive a round trip,
// and only known share states are stored.
func TestShareStateStored(t *testing.T) {
	s := newTestStore(t)
	ctx := t.Context()
	tr := sampleTransfer("s1")
	tr.Direction, tr.SourcePath = TransferOut, "/share/s1"
	tr.ExpiresAt = time.UnixMilli(1_900_000_000_000)
	if _, err := s.InsertTransfer(ctx, tr); err != nil {
		t.Fatal(err)
	}
	got, err := s.Transfer(ctx, "s1")
	if err != nil || !got.ExpiresAt.Equal(tr.ExpiresAt) || got.ShareState != ShareServed {
		t.Fatalf("stored %v %q (%v)", got.ExpiresAt, got.ShareState, err)
	}
	changed, note := ShareChanged, "report.pdf changed"
	if err := s.UpdateTransfer(ctx, "s1", TransferUpdate{ShareState: &changed, ShareNote: &note}); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Transfer(ctx, "s1"); got.ShareState != ShareChanged || got.ShareNote != note || got.State != tr.State {
		t.Fatalf("after update: %q %q %q", got.ShareState, got.ShareNote, got.State)
	}
	bad := "gone"
	if err := s.UpdateTransfer(ctx, "s1", TransferUpdate{ShareState: &bad}); err == nil {
		t.Fatal("an unknown share state was stored")
	}
	tr.ID, tr.ShareState = "s2", "gone"
	if _, err := s.InsertTransfer(ctx, tr); err == nil {
		t.Fatal("an unknown share state was inserted")
	}
}
