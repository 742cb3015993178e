package records

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"testing"
	"time"
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
