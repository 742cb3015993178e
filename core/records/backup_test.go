package records

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	hcrypto "hallway/crypto"
	"hallway/storage"
)

// testLayout names the data folder's files as a node does.
var testLayout = Layout{Identity: "identity.key", Workspace: "swarm.key", Database: "hallway.db"}

// tarGz builds a backup stream from name/content pairs, in order.
func tarGz(t testing.TB, members ...[2]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	for _, m := range members {
		if err := tw.WriteHeader(&tar.Header{Name: m[0], Mode: 0o600, Size: int64(len(m[1]))}); err != nil {
			t.Fatal(err)
		}
		tw.Write([]byte(m[1]))
	}
	tw.Close()
	gz.Close()
	return buf.Bytes()
}

func manifestFor(t testing.TB, files ...[2]string) string {
	t.Helper()
	info := BackupInfo{Format: backupFormat, Version: backupVersion, CreatedAt: time.Unix(1, 0), PeerID: "x"}
	for _, f := range files {
		sum := sha256.Sum256([]byte(f[1]))
		info.Files = append(info.Files, BackupFile{Name: f[0], Size: int64(len(f[1])), SHA256: hex.EncodeToString(sum[:])})
	}
	b, err := json.Marshal(info)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// Hostile backups are refused: unknown or duplicated members, paths
// outside the folder, sizes or hashes that differ from the manifest.
func TestExtractBackupRefusesHostileArchives(t *testing.T) {
	key := [2]string{testLayout.Identity, "key"}
	db := [2]string{testLayout.Database, "db"}
	for name, b := range map[string][]byte{
		"no manifest":      tarGz(t, key, db),
		"manifest later":   tarGz(t, key, [2]string{backupManifest, manifestFor(t, key, db)}, db),
		"escaping path":    tarGz(t, [2]string{backupManifest, manifestFor(t, key, db, [2]string{"../evil", "x"})}, key, db),
		"unknown member":   tarGz(t, [2]string{backupManifest, manifestFor(t, key, db)}, key, db, [2]string{"extra", "x"}),
		"duplicate member": tarGz(t, [2]string{backupManifest, manifestFor(t, key, db)}, key, db, db),
		"wrong hash":       tarGz(t, [2]string{backupManifest, manifestFor(t, key, db)}, key, [2]string{testLayout.Database, "dB"}),
		"missing history":  tarGz(t, [2]string{backupManifest, manifestFor(t, key, db)}, key),
		"no identity":      tarGz(t, [2]string{backupManifest, manifestFor(t, db)}, db),
		"not gzip":         []byte("plain text"),
		"larger than the disk": tarGz(t, [2]string{backupManifest, `{"format":"hallway-backup","version":1,"files":[
			{"name":"identity.key","size":3,"sha256":"00"},{"name":"hallway.db","size":1000000000000,"sha256":"00"}]}`}, key),
	} {
		if _, err := extractBackup(bytes.NewReader(b), t.TempDir(), testLayout); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	good := tarGz(t, [2]string{backupManifest, manifestFor(t, key, db)}, key, db)
	if _, err := extractBackup(bytes.NewReader(good), t.TempDir(), testLayout); err != nil {
		t.Errorf("a well-formed archive: %v", err)
	}
}

func FuzzExtractBackup(f *testing.F) {
	key := [2]string{testLayout.Identity, "key"}
	db := [2]string{testLayout.Database, "db"}
	f.Add(tarGz(f, [2]string{backupManifest, manifestFor(f, key, db)}, key, db))
	f.Add([]byte{0x1f, 0x8b})
	f.Fuzz(func(t *testing.T, b []byte) {
		extractBackup(bytes.NewReader(b), t.TempDir(), testLayout)
	})
}

// restoreTarget is dir with a lock that counts how often it is taken and
// given back.
func restoreTarget(dir string, taken, released *int) Target {
	return Target{Dir: dir, Layout: testLayout, Lock: func() (func(), error) {
		*taken++
		return func() { *released++ }, nil
	}}
}

func TestBackupThenRestore(t *testing.T) {
	ctx := t.Context()
	dir := t.TempDir()
	key, _, err := hcrypto.LoadOrCreateIdentity(filepath.Join(dir, testLayout.Identity))
	if err != nil {
		t.Fatal(err)
	}
	st, err := storage.Open(ctx, filepath.Join(dir, testLayout.Database))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, _, err := st.InsertIncoming(ctx, storage.Message{ID: "m1", Conv: "dm:peer", Author: "peer", Text: "keep me", SentAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	k, err := New(Config{DataDir: dir, Layout: testLayout}, Deps{Store: st, Key: key, People: &fakePeople{self: "Ann"}})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	info, err := k.Backup(ctx, &buf)
	if err != nil {
		t.Fatal(err)
	}
	if info.PeerID != k.self.String() || info.Name != "Ann" || info.Messages != 1 || len(info.Files) != 2 {
		t.Errorf("backup %+v", info)
	}

	to := t.TempDir()
	var taken, released int
	res, err := Restore(ctx, bytes.NewReader(buf.Bytes()), restoreTarget(to, &taken, &released), RestoreOptions{})
	if err != nil || res.DataDir != to || res.Replaced != "" || res.Backup.PeerID != info.PeerID {
		t.Fatalf("restore: %+v, %v", res, err)
	}
	if taken != 1 || released != 1 {
		t.Errorf("lock taken %d, released %d times", taken, released)
	}
	if err := checkRestoredIdentity(filepath.Join(to, testLayout.Identity), info.PeerID); err != nil {
		t.Error(err)
	}
	if has, err := storage.HasHistory(ctx, filepath.Join(to, testLayout.Database)); err != nil || !has {
		t.Errorf("restored history: %v, %v", has, err)
	}
	if _, err := Restore(ctx, bytes.NewReader(buf.Bytes()), restoreTarget(to, &taken, &released), RestoreOptions{}); !errors.Is(err, ErrHistoryExists) {
		t.Errorf("a second restore: %v", err)
	}
	res, err = Restore(ctx, bytes.NewReader(buf.Bytes()), restoreTarget(to, &taken, &released), RestoreOptions{Force: true})
	if err != nil || res.Replaced == "" {
		t.Errorf("forced restore: %+v, %v", res, err)
	}
	if taken != 3 || released != 3 {
		t.Errorf("lock taken %d, released %d times", taken, released)
	}
}

// A folder that cannot be locked is left alone.
func TestRestoreNeedsTheLock(t *testing.T) {
	busy := errors.New("a node runs here")
	dir := t.TempDir()
	_, err := Restore(t.Context(), strings.NewReader("not read"), Target{Dir: dir, Layout: testLayout,
		Lock: func() (func(), error) { return nil, busy }}, RestoreOptions{})
	if !errors.Is(err, busy) {
		t.Fatalf("got %v", err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("the folder was touched: %v", entries)
	}
}
