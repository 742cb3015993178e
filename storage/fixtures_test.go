package storage

import (
	"database/sql"
	"reflect"
	"slices"
	"testing"
	"time"
)

// versionFixture writes rows that are valid at one schema version and checks,
// after the store has migrated to the newest version, that they survived.
// A new migration that reshapes existing data adds a fixture at the version
// before it.
type versionFixture struct {
	seed  func(t *testing.T, db *sql.DB)
	check func(t *testing.T, s *Store)
}

var fixtures = map[int]versionFixture{
	1: {
		seed: func(t *testing.T, db *sql.DB) {
			stmts := []string{
				`INSERT INTO settings (key, value) VALUES ('profile.name', 'Ada')`,
				`INSERT INTO peers (id, name, first_seen, last_seen) VALUES ('p1', 'Bob', 1000, 2000)`,
				`INSERT INTO static_peers (addr, added_at) VALUES ('/ip4/10.0.0.2/tcp/4001', 1000)`,
				`INSERT INTO messages (id, conv, author, text, sent_at, received_at, state)
				 VALUES ('m1', 'dm:p1', 'me', 'hello', 1000, 1000, 'sent')`,
				`INSERT INTO outbox (msg_seq, peer, queued_at) VALUES (1, 'p1', 1000)`,
				`INSERT INTO messages (id, conv, author, text, sent_at, received_at, state)
				 VALUES ('m2', 'dm:p1', 'p1', 'hi back', 2000, 2001, 'received')`,
			}
			for _, q := range stmts {
				if _, err := db.ExecContext(t.Context(), q); err != nil {
					t.Fatalf("seed %q: %v", q, err)
				}
			}
		},
		check: func(t *testing.T, s *Store) {
			ctx := t.Context()
			if v, ok, err := s.Setting(ctx, "profile.name"); err != nil || !ok || v != "Ada" {
				t.Errorf("setting = %q, %v, %v", v, ok, err)
			}
			if p, ok, err := s.Peer(ctx, "p1"); err != nil || !ok || p.Name != "Bob" {
				t.Errorf("peer = %+v, %v, %v", p, ok, err)
			}
			if out, err := s.Outbox(ctx, "p1", 0); err != nil || len(out) != 1 || out[0].ID != "m1" {
				t.Errorf("outbox = %+v, %v", out, err)
			}
			want := []Message{
				{Seq: 1, ID: "m1", Conv: "dm:p1", Author: "me", Text: "hello", SentAt: time.UnixMilli(1000),
					ReceivedAt: time.UnixMilli(1000), State: StateSent, Kind: KindText},
				{Seq: 2, ID: "m2", Conv: "dm:p1", Author: "p1", Text: "hi back", SentAt: time.UnixMilli(2000),
					ReceivedAt: time.UnixMilli(2001), State: StateReceived, Kind: KindText},
			}
			if got, err := s.History(ctx, "dm:p1", 0, 0); err != nil || !slices.Equal(got, want) {
				t.Errorf("History =\n  %+v, %v\nwant\n  %+v", got, err, want)
			}
			if m, _, err := s.MessageByID(ctx, "p1", "m2"); err != nil || m != want[1] {
				t.Errorf("MessageByID = %+v, %v; want %+v", m, err, want[1])
			}
		},
	},
	2: {
		seed: func(t *testing.T, db *sql.DB) {
			stmts := []string{
				`INSERT INTO rooms (id, name, key, general, created_at, joined_at, last_read_hlc)
				 VALUES ('r1', 'Lunch', zeroblob(32), 1, 1000, 1000, 7)`,
				`INSERT INTO room_envelopes (room, author, seq, hlc, raw) VALUES ('r1', 'p1', 1, 7, x'0102')`,
				`INSERT INTO room_heads (room, author, contiguous, max_seq) VALUES ('r1', 'p1', 1, 1)`,
				`INSERT INTO room_members (room, peer, name, hlc, author, seq, member) VALUES ('r1', 'p1', 'Bob', 7, 'p1', 1, 1)`,
				`INSERT INTO messages (id, conv, author, text, sent_at, received_at, state, kind, hlc, author_seq, meta)
				 VALUES ('j1', 'room:r1', 'p1', '', 1000, 1000, 'received', 'join', 7, 1, '')`,
			}
			for _, q := range stmts {
				if _, err := db.ExecContext(t.Context(), q); err != nil {
					t.Fatalf("seed %q: %v", q, err)
				}
			}
		},
		check: func(t *testing.T, s *Store) {
			ctx := t.Context()
			if r, ok, err := s.Room(ctx, "r1"); err != nil || !ok || r.Name != "Lunch" || !r.General || r.LastReadHLC != 7 {
				t.Errorf("room = %+v, %v, %v", r, ok, err)
			}
			if envs, err := s.RoomEnvelopesAfter(ctx, "r1", nil, 0); err != nil || len(envs) != 1 || string(envs[0]) != "\x01\x02" {
				t.Errorf("envelopes = %q, %v", envs, err)
			}
			if next, err := s.NextRoomSeq(ctx, "r1", "p1"); err != nil || next != 2 {
				t.Errorf("next seq = %d, %v", next, err)
			}
			if m, err := s.RoomMembers(ctx, "r1"); err != nil || len(m) != 1 || m[0].Name != "Bob" {
				t.Errorf("members = %+v, %v", m, err)
			}
			if h, err := s.RoomHistory(ctx, "r1", nil, 0); err != nil || len(h) != 1 || h[0].Kind != KindJoin || h[0].HLC != 7 {
				t.Errorf("room history = %+v, %v", h, err)
			}
		},
	},
	3: {
		seed: func(t *testing.T, db *sql.DB) {
			stmts := []string{
				`INSERT INTO transfers (id, direction, peer, conv, name, size, manifest_hash, manifest, source_path,
				 state, created_at, updated_at)
				 VALUES ('t1', 'out', 'p1', 'dm:p1', 'a.txt', 5, 'h1', x'aa', '/home/ada/a.txt', 'offered', 1000, 1000)`,
				`INSERT INTO transfers (id, direction, peer, conv, name, folder, size, files, manifest_hash,
				 dest_dir, partial_path, state, bytes_done, have, created_at, updated_at)
				 VALUES ('t2', 'in', 'p1', 'room:r1', 'pics', 1, 9, 3, 'h2', '/dl', '/dl/.pics', 'paused', 4, x'05', 2000, 3000)`,
			}
			for _, q := range stmts {
				if _, err := db.ExecContext(t.Context(), q); err != nil {
					t.Fatalf("seed %q: %v", q, err)
				}
			}
		},
		check: func(t *testing.T, s *Store) {
			ctx := t.Context()
			want := []Transfer{
				{ID: "t2", Direction: TransferIn, Peer: "p1", Conv: "room:r1", Name: "pics", Folder: true, Size: 9,
					Files: 3, ManifestHash: "h2", DestDir: "/dl", PartialPath: "/dl/.pics", State: TransferPaused,
					BytesDone: 4, Have: []byte{5}, CreatedAt: time.UnixMilli(2000), UpdatedAt: time.UnixMilli(3000)},
				{ID: "t1", Direction: TransferOut, Peer: "p1", Conv: "dm:p1", Name: "a.txt", Size: 5, Files: 1,
					ManifestHash: "h1", Manifest: []byte{0xaa}, SourcePath: "/home/ada/a.txt", State: TransferOffered,
					CreatedAt: time.UnixMilli(1000), UpdatedAt: time.UnixMilli(1000)},
			}
			if got, err := s.Transfers(ctx); err != nil || !reflect.DeepEqual(got, want) {
				t.Errorf("Transfers =\n  %+v, %v\nwant\n  %+v", got, err, want)
			}
			if got, err := s.Servable(ctx, "h1"); err != nil || len(got) != 1 || got[0].ID != "t1" ||
				got[0].ShareState != ShareServed || !got[0].ExpiresAt.IsZero() {
				t.Errorf("Servable(h1) = %+v, %v; want t1, served, no expiry", got, err)
			}
		},
	},
}
