package storage

import (
	"errors"
	"path/filepath"
	"reflect"
	"slices"
	"testing"
	"time"
)

var transferT0 = time.UnixMilli(1_700_000_000_000)

// sampleTransfer is an incoming room file as offered, before anything was
// fetched.
func sampleTransfer(id string) Transfer {
	return Transfer{
		ID: id, Direction: TransferIn, Peer: bob, Conv: RoomConv("r1"), Name: "report.pdf",
		Size: 1 << 20, Files: 1, ManifestHash: "hash-" + id, State: TransferOffered,
		CreatedAt: transferT0, UpdatedAt: transferT0,
	}
}

func transferIDs(ts []Transfer) []string {
	var out []string
	for _, t := range ts {
		out = append(out, t.ID)
	}
	return out
}

func TestInsertTransferRoundTrip(t *testing.T) {
	full := Transfer{
		ID: "t1", Direction: TransferOut, Peer: bob, Conv: "dm:" + bob, Name: "photos", Folder: true,
		Size: 3 << 30, Files: 120, ManifestHash: "h1", Manifest: []byte{1, 2, 3},
		SourcePath: "/home/ada/photos", DestDir: "/d", PartialPath: "/d/.photos.part", FinalPath: "/d/photos",
		State: TransferActive, BytesDone: 4096, Have: []byte{0xff, 0x01}, Error: "none yet",
		CreatedAt: transferT0, UpdatedAt: transferT0.Add(time.Minute),
	}
	emptyFolder := sampleTransfer("t2")
	emptyFolder.Folder, emptyFolder.Files, emptyFolder.Size = true, 0, 0
	defaults := Transfer{ID: "t3", Direction: TransferIn, Conv: "dm:" + bob, ManifestHash: "h3",
		Manifest: []byte{}, Have: []byte{}}
	tests := []struct {
		name string
		in   Transfer
		want Transfer // zero CreatedAt: expect the time of the insert
	}{
		{name: "every field", in: full, want: full},
		{name: "incoming before the manifest is fetched", in: sampleTransfer("t1"), want: sampleTransfer("t1")},
		{name: "an empty folder has no files", in: emptyFolder, want: emptyFolder},
		{
			name: "defaults",
			in:   defaults,
			want: Transfer{ID: "t3", Direction: TransferIn, Conv: "dm:" + bob, ManifestHash: "h3",
				Files: 1, State: TransferOffered},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newTestStore(t)
			ctx := t.Context()
			before := now()
			if ok, err := s.InsertTransfer(ctx, tc.in); err != nil || !ok {
				t.Fatalf("InsertTransfer = %v, %v; want true, nil", ok, err)
			}
			got, err := s.Transfer(ctx, tc.in.ID)
			if err != nil {
				t.Fatalf("Transfer: %v", err)
			}
			want := tc.want
			if want.CreatedAt.IsZero() {
				if got.CreatedAt.Before(before) || !got.UpdatedAt.Equal(got.CreatedAt) {
					t.Errorf("zero times not set to now: created %v updated %v", got.CreatedAt, got.UpdatedAt)
				}
				want.CreatedAt, want.UpdatedAt = got.CreatedAt, got.UpdatedAt
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("Transfer =\n  %+v\nwant\n  %+v", got, want)
			}
		})
	}
}

// Offers are announced again until answered; a repeat, or a record of the
// other direction under the same id, must not touch what is stored.
func TestInsertTransferIdempotent(t *testing.T) {
	s := newTestStore(t)
	ctx := t.Context()
	first := sampleTransfer("t1")
	if ok, err := s.InsertTransfer(ctx, first); err != nil || !ok {
		t.Fatalf("first InsertTransfer = %v, %v", ok, err)
	}
	again := first
	again.Name, again.State, again.CreatedAt = "renamed.pdf", TransferActive, transferT0.Add(time.Hour)
	out := first
	out.Direction, out.SourcePath = TransferOut, "/home/ada/report.pdf"
	tests := []struct {
		name string
		in   Transfer
	}{
		{name: "same offer again", in: first},
		{name: "changed fields", in: again},
		{name: "other direction", in: out},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if ok, err := s.InsertTransfer(ctx, tc.in); err != nil || ok {
				t.Errorf("InsertTransfer = %v, %v; want false, nil", ok, err)
			}
			if got, err := s.Transfer(ctx, "t1"); err != nil || !reflect.DeepEqual(got, first) {
				t.Errorf("Transfer = %+v, %v; want %+v", got, err, first)
			}
		})
	}
}

func TestInsertTransferRejects(t *testing.T) {
	s := newTestStore(t)
	ctx := t.Context()
	tests := []struct {
		name   string
		change func(*Transfer)
	}{
		{name: "empty id", change: func(t *Transfer) { t.ID = "" }},
		{name: "unknown direction", change: func(t *Transfer) { t.Direction = "sideways" }},
		{name: "empty conversation", change: func(t *Transfer) { t.Conv = "" }},
		{name: "empty manifest hash", change: func(t *Transfer) { t.ManifestHash = "" }},
		{name: "unknown state", change: func(t *Transfer) { t.State = "lost" }},
		{name: "negative size", change: func(t *Transfer) { t.Size = -1 }},
		{name: "negative file count", change: func(t *Transfer) { t.Files = -1 }},
		{name: "negative bytes done", change: func(t *Transfer) { t.BytesDone = -1 }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tr := sampleTransfer("t1")
			tc.change(&tr)
			if ok, err := s.InsertTransfer(ctx, tr); err == nil || ok {
				t.Errorf("InsertTransfer = %v, %v; want an error", ok, err)
			}
		})
	}
	if ts, err := s.Transfers(ctx); err != nil || len(ts) != 0 {
		t.Errorf("Transfers after rejected inserts = %v, %v; want none", transferIDs(ts), err)
	}
}

func TestTransferUnknown(t *testing.T) {
	s := newTestStore(t)
	ctx := t.Context()
	state := TransferActive
	tests := []struct {
		name string
		err  error
	}{
		{name: "read", err: func() error { _, err := s.Transfer(ctx, "nope"); return err }()},
		{name: "update", err: s.UpdateTransfer(ctx, "nope", TransferUpdate{State: &state})},
		{name: "empty update", err: s.UpdateTransfer(ctx, "nope", TransferUpdate{})},
		{name: "save progress", err: s.SaveProgress(ctx, "nope", 10, []byte{1})},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if !errors.Is(tc.err, ErrNoTransfer) {
				t.Errorf("err = %v, want ErrNoTransfer", tc.err)
			}
		})
	}
}

func TestTransfersOrder(t *testing.T) {
	s := newTestStore(t)
	ctx := t.Context()
	if ts, err := s.Transfers(ctx); err != nil || ts != nil {
		t.Fatalf("Transfers of an empty store = %v, %v; want nil, nil", ts, err)
	}
	for _, c := range []struct {
		id      string
		created time.Duration
	}{
		{"a", 2 * time.Minute}, {"b", 0}, {"c", 3 * time.Minute}, {"d", 2 * time.Minute}, {"e", time.Minute},
	} {
		tr := sampleTransfer(c.id)
		tr.CreatedAt = transferT0.Add(c.created)
		tr.UpdatedAt = tr.CreatedAt
		if _, err := s.InsertTransfer(ctx, tr); err != nil {
			t.Fatal(err)
		}
	}
	// Progress on an old transfer must not move it up the list.
	if err := s.SaveProgress(ctx, "b", 1, []byte{1}); err != nil {
		t.Fatal(err)
	}
	ts, err := s.Transfers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// Created in the same millisecond: the one stored later is newer.
	if got, want := transferIDs(ts), []string{"c", "d", "a", "e", "b"}; !slices.Equal(got, want) {
		t.Errorf("Transfers = %v, want %v", got, want)
	}
}

// A database from before transfers existed must take them once opened,
// beside the conversations it already held.
func TestTransfersAfterUpgrade(t *testing.T) {
	for _, from := range []int{1, 2} {
		t.Run(migrationName(mustMigrations(t), from), func(t *testing.T) {
			ctx := t.Context()
			path := filepath.Join(t.TempDir(), "hallway.db")
			db := openAtVersion(t, path, from)
			for v := 1; v <= from; v++ {
				fixtures[v].seed(t, db)
			}
			if err := db.Close(); err != nil {
				t.Fatal(err)
			}
			s, err := Open(ctx, path)
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			defer s.Close()
			done := sampleTransfer("t1")
			done.State, done.DestDir, done.FinalPath = TransferDone, "/dl", "/dl/report.pdf"
			if ok, err := s.InsertTransfer(ctx, done); err != nil || !ok {
				t.Fatalf("InsertTransfer = %v, %v", ok, err)
			}
			if err := s.SaveProgress(ctx, "t1", done.Size, []byte{0xff}); err != nil {
				t.Fatalf("SaveProgress: %v", err)
			}
			if got, err := s.Servable(ctx, done.ManifestHash); err != nil || len(got) != 1 || got[0].ID != "t1" {
				t.Errorf("Servable = %+v, %v; want t1", got, err)
			}
			for v := 1; v <= from; v++ {
				fixtures[v].check(t, s)
			}
		})
	}
}

func mustMigrations(t *testing.T) []migration {
	t.Helper()
	migs, err := embeddedMigrations()
	if err != nil {
		t.Fatal(err)
	}
	return migs
}
