package records

import (
	"archive/tar"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"hallway/storage"
)

// A backup is a gzip-compressed tar stream: first backupManifest (JSON),
// then the files it lists, each owner-only. It holds everything needed to
// bring the node back: its identity key, its workspace key when it has
// one, and a consistent snapshot of its history (messages, rooms with
// their keys, colleagues, transfers, retention and holds). Both keys are
// secrets: whoever holds a backup can act as this node and read its rooms.
// Downloaded files are not part of it. Members are named as the files are
// in the data folder (Layout).

const (
	backupFormat   = "hallway-backup"
	backupVersion  = 1
	backupManifest = "hallway-backup.json"
	// maxBackupMember bounds a member's declared size: a history larger
	// than this is not one we wrote.
	maxBackupMember = 1 << 40
	// maxKeyMember bounds the key files.
	maxKeyMember = 64 << 10
)

// BackupInfo describes a backup.
type BackupInfo struct {
	Format        string       `json:"format"`
	Version       int          `json:"version"`
	CreatedAt     time.Time    `json:"created_at"`
	PeerID        string       `json:"peer_id"`
	Name          string       `json:"name"`
	SchemaVersion int          `json:"schema_version"`
	Messages      int          `json:"messages"`
	Rooms         int          `json:"rooms"`
	Files         []BackupFile `json:"files"`
}

// BackupFile is one member of a backup.
type BackupFile struct {
	Name   string `json:"name"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
}

// Backup writes a backup of this running node to w (see the top of this
// file). The history is snapshotted in one read transaction, so it is
// consistent while messages keep arriving.
func (k *Keeper) Backup(ctx context.Context, w io.Writer) (BackupInfo, error) {
	dir, lay := k.cfg.DataDir, k.cfg.Layout
	tmp, err := os.MkdirTemp(dir, ".backup-")
	if err != nil {
		return BackupInfo{}, fmt.Errorf("backup: %w", err)
	}
	defer os.RemoveAll(tmp)
	snap := filepath.Join(tmp, lay.Database)
	if err := k.deps.Store.Snapshot(ctx, snap); err != nil {
		return BackupInfo{}, fmt.Errorf("backup: %w", err)
	}
	check, err := storage.CheckSnapshot(ctx, snap)
	if err != nil {
		return BackupInfo{}, fmt.Errorf("backup: %w", err)
	}
	info := BackupInfo{Format: backupFormat, Version: backupVersion, CreatedAt: time.Now().UTC(),
		PeerID: k.self.String(), Name: k.deps.People.SelfName(), SchemaVersion: check.SchemaVersion,
		Messages: check.Messages, Rooms: check.Rooms}
	members := []string{filepath.Join(dir, lay.Identity)}
	if _, err := os.Stat(filepath.Join(dir, lay.Workspace)); err == nil {
		members = append(members, filepath.Join(dir, lay.Workspace))
	}
	members = append(members, snap)
	for _, p := range members {
		f, err := describeFile(p)
		if err != nil {
			return BackupInfo{}, fmt.Errorf("backup: %w", err)
		}
		info.Files = append(info.Files, f)
	}
	if err := writeBackup(w, info, members); err != nil {
		return BackupInfo{}, fmt.Errorf("backup: %w", err)
	}
	return info, nil
}

func describeFile(path string) (BackupFile, error) {
	f, err := os.Open(path)
	if err != nil {
		return BackupFile{}, err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return BackupFile{}, err
	}
	return BackupFile{Name: filepath.Base(path), Size: n, SHA256: hex.EncodeToString(h.Sum(nil))}, nil
}

func writeBackup(w io.Writer, info BackupInfo, paths []string) error {
	gz, err := gzip.NewWriterLevel(w, gzip.BestSpeed)
	if err != nil {
		return err
	}
	tw := tar.NewWriter(gz)
	manifest, err := json.MarshalIndent(info, "", "  ")
	if err != nil {
		return err
	}
	hdr := &tar.Header{Name: backupManifest, Mode: 0o600, Size: int64(len(manifest)), ModTime: info.CreatedAt, Format: tar.FormatPAX}
	if err := tw.WriteHeader(hdr); err != nil {
		return err
	}
	if _, err := tw.Write(manifest); err != nil {
		return err
	}
	for i, p := range paths {
		if err := addMember(tw, p, info.Files[i], info.CreatedAt); err != nil {
			return err
		}
	}
	if err := tw.Close(); err != nil {
		return err
	}
	return gz.Close()
}

func addMember(tw *tar.Writer, path string, f BackupFile, at time.Time) error {
	file, err := os.Open(path)
	if err != nil {
		return err
	}
	defer file.Close()
	hdr := &tar.Header{Name: f.Name, Mode: 0o600, Size: f.Size, ModTime: at, Format: tar.FormatPAX}
	if err := tw.WriteHeader(hdr); err != nil {
		return err
	}
	// Exactly the bytes described: the file cannot have grown, as it is
	// a key or the snapshot, but a short one would corrupt the stream.
	if _, err := io.CopyN(tw, file, f.Size); err != nil {
		return fmt.Errorf("%s: %w", f.Name, err)
	}
	return nil
}
