package core

import (
	"archive/tar"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"hallway/chat"
	hcrypto "hallway/crypto"
	"hallway/storage"

	"github.com/libp2p/go-libp2p/core/peer"
)

// A backup is a gzip-compressed tar stream: first backupManifest (JSON),
// then the files it lists, each owner-only. It holds everything needed to
// bring the node back: its identity key, its workspace key when it has
// one, and a consistent snapshot of its history (messages, rooms with
// their keys, colleagues, transfers, retention and holds). Both keys are
// secrets: whoever holds a backup can act as this node and read its rooms.
// Downloaded files are not part of it.

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
func (s *Service) Backup(ctx context.Context, w io.Writer) (BackupInfo, error) {
	tmp, err := os.MkdirTemp(s.cfg.DataDir, ".backup-")
	if err != nil {
		return BackupInfo{}, fmt.Errorf("backup: %w", err)
	}
	defer os.RemoveAll(tmp)
	snap := filepath.Join(tmp, databaseFile)
	if err := s.store.Snapshot(ctx, snap); err != nil {
		return BackupInfo{}, fmt.Errorf("backup: %w", err)
	}
	check, err := storage.CheckSnapshot(ctx, snap)
	if err != nil {
		return BackupInfo{}, fmt.Errorf("backup: %w", err)
	}
	info := BackupInfo{Format: backupFormat, Version: backupVersion, CreatedAt: time.Now().UTC(),
		PeerID: s.node.ID().String(), Name: s.currentProfile().Name, SchemaVersion: check.SchemaVersion,
		Messages: check.Messages, Rooms: check.Rooms}
	members := []string{filepath.Join(s.cfg.DataDir, identityFile)}
	if _, err := os.Stat(filepath.Join(s.cfg.DataDir, workspaceFile)); err == nil {
		members = append(members, filepath.Join(s.cfg.DataDir, workspaceFile))
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

// RestoreOptions controls Restore.
type RestoreOptions struct {
	// Force replaces a history or an identity already in the data folder;
	// what it replaces is kept in a "replaced-<time>" folder inside it.
	Force bool
}

// RestoreResult says what was restored.
type RestoreResult struct {
	Backup   BackupInfo `json:"backup"`
	DataDir  string     `json:"data_dir"`
	Replaced string     `json:"replaced,omitempty"` // where the former files went
}

// ErrHistoryExists means a restore would replace a history or identity.
var ErrHistoryExists = errors.New("the data folder already holds a history")

// Restore brings a backup (read from r) back into the data folder dir,
// which no Hallway may be using: it takes the folder's lock for the whole
// restore, so a node cannot start meanwhile either. Every member is
// checked against the manifest and the history with SQLite's integrity
// check before anything in dir is touched; then the files are moved in.
func Restore(ctx context.Context, r io.Reader, dir string, opt RestoreOptions) (RestoreResult, error) {
	res := RestoreResult{DataDir: dir}
	if err := ensureDataDir(dir); err != nil {
		return res, err
	}
	lock, err := lockDataDir(dir)
	if errors.Is(err, ErrAlreadyRunning) {
		return res, chat.NewUserError(fmt.Sprintf("a Hallway is running on %s; stop it before restoring", dir), err)
	}
	if err != nil {
		return res, err
	}
	defer lock.release()
	tmp, err := os.MkdirTemp(dir, ".restore-")
	if err != nil {
		return res, fmt.Errorf("restore: %w", err)
	}
	defer os.RemoveAll(tmp)
	info, err := extractBackup(r, tmp)
	if err != nil {
		return res, chat.NewUserError("this is not a usable Hallway backup: "+err.Error(), err)
	}
	res.Backup = info
	if _, err := storage.CheckSnapshot(ctx, filepath.Join(tmp, databaseFile)); err != nil {
		return res, chat.NewUserError("the history in this backup is damaged: "+err.Error(), err)
	}
	if err := checkRestoredIdentity(filepath.Join(tmp, identityFile), info.PeerID); err != nil {
		return res, chat.NewUserError("the identity in this backup does not match it: "+err.Error(), err)
	}
	if !opt.Force {
		if err := refuseOverwrite(ctx, dir, info.PeerID); err != nil {
			return res, err
		}
	}
	res.Replaced, err = moveIn(dir, tmp, info)
	return res, err
}

// extractBackup reads the manifest, then writes each member it lists to
// dir, checking names, sizes and hashes.
func extractBackup(r io.Reader, dir string) (BackupInfo, error) {
	var info BackupInfo
	gz, err := gzip.NewReader(r)
	if err != nil {
		return info, err
	}
	tr := tar.NewReader(gz)
	hdr, err := tr.Next()
	if err != nil {
		return info, err
	}
	if hdr.Name != backupManifest || hdr.Size > maxKeyMember {
		return info, errors.New("no manifest first")
	}
	if err := json.NewDecoder(io.LimitReader(tr, maxKeyMember)).Decode(&info); err != nil {
		return info, fmt.Errorf("manifest: %w", err)
	}
	if info.Format != backupFormat || info.Version != backupVersion {
		return info, fmt.Errorf("format %q version %d is not %q version %d", info.Format, info.Version, backupFormat, backupVersion)
	}
	want := map[string]BackupFile{}
	for _, f := range info.Files {
		switch f.Name {
		case identityFile, workspaceFile, databaseFile:
		default:
			return info, fmt.Errorf("unexpected member %q", f.Name)
		}
		want[f.Name] = f
	}
	if _, ok := want[identityFile]; !ok {
		return info, errors.New("no identity key")
	}
	if _, ok := want[databaseFile]; !ok {
		return info, errors.New("no history")
	}
	if err := checkSpace(dir, info.Files); err != nil {
		return info, err
	}
	got := map[string]bool{}
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return info, err
		}
		f, ok := want[hdr.Name]
		if !ok || got[hdr.Name] || hdr.Typeflag != tar.TypeReg || hdr.Size != f.Size || f.Size > maxBackupMember ||
			(hdr.Name != databaseFile && f.Size > maxKeyMember) {
			return info, fmt.Errorf("unexpected member %q", hdr.Name)
		}
		if err := writeMember(filepath.Join(dir, f.Name), tr, f); err != nil {
			return info, err
		}
		got[hdr.Name] = true
	}
	for name := range want {
		if !got[name] {
			return info, fmt.Errorf("%s is missing", name)
		}
	}
	return info, nil
}

func writeMember(path string, r io.Reader, f BackupFile) error {
	out, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(out, h), io.LimitReader(r, f.Size))
	if err == nil {
		err = out.Sync()
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("%s: %w", f.Name, err)
	}
	if n != f.Size || hex.EncodeToString(h.Sum(nil)) != f.SHA256 {
		return fmt.Errorf("%s does not match its checksum", f.Name)
	}
	return nil
}

// checkSpace refuses a backup whose members would not fit on the disk,
// before anything is written: sizes come from the manifest, which the
// extraction then holds each member to.
func checkSpace(dir string, files []BackupFile) error {
	var need int64
	for _, f := range files {
		if f.Size < 0 || f.Size > maxBackupMember {
			return fmt.Errorf("%s declares %d bytes", f.Name, f.Size)
		}
		need += f.Size
	}
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		return nil // unknown: the writes themselves will fail if it does not fit
	}
	if free := int64(st.Bavail) * int64(st.Bsize); need > free {
		return fmt.Errorf("it needs %d bytes and %s has %d free", need, dir, free)
	}
	return nil
}

// refuseOverwrite fails when dir holds a history, or an identity other
// than the backup's.
func refuseOverwrite(ctx context.Context, dir, peerID string) error {
	has, err := storage.HasHistory(ctx, filepath.Join(dir, databaseFile))
	if err != nil {
		return err
	}
	if has {
		return chat.NewUserError(fmt.Sprintf("%s already holds a history; restore with --force to replace it (it is kept aside)", dir), ErrHistoryExists)
	}
	if _, err := os.Stat(filepath.Join(dir, identityFile)); err == nil {
		if checkRestoredIdentity(filepath.Join(dir, identityFile), peerID) != nil {
			return chat.NewUserError(fmt.Sprintf("%s holds another identity; restore with --force to replace it (it is kept aside)", dir), ErrHistoryExists)
		}
	}
	return nil
}

// moveIn replaces dir's identity, workspace key and history with the
// restored ones, keeping any former ones in a replaced-<time> folder.
func moveIn(dir, tmp string, info BackupInfo) (replaced string, err error) {
	has := map[string]bool{}
	for _, f := range info.Files {
		has[f.Name] = true
	}
	var aside string
	for _, name := range []string{identityFile, workspaceFile, databaseFile, databaseFile + "-wal", databaseFile + "-shm"} {
		p := filepath.Join(dir, name)
		if _, err := os.Lstat(p); err != nil {
			continue
		}
		if aside == "" {
			aside = filepath.Join(dir, "replaced-"+time.Now().UTC().Format("20060102T150405Z"))
			if err := os.Mkdir(aside, 0o700); err != nil {
				return "", fmt.Errorf("restore: %w", err)
			}
		}
		if err := os.Rename(p, filepath.Join(aside, name)); err != nil {
			return aside, fmt.Errorf("restore: set %s aside: %w", name, err)
		}
	}
	// The history last: a node started on a half-restored folder would
	// otherwise meet a history under a new identity.
	for _, name := range []string{identityFile, workspaceFile, databaseFile} {
		if !has[name] {
			continue
		}
		if err := os.Rename(filepath.Join(tmp, name), filepath.Join(dir, name)); err != nil {
			return aside, fmt.Errorf("restore: %w", err)
		}
	}
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
	return aside, nil
}

// checkRestoredIdentity checks that the key file at path is the identity
// of peerID.
func checkRestoredIdentity(path, peerID string) error {
	if _, err := os.Stat(path); err != nil {
		return err
	}
	key, _, err := hcrypto.LoadOrCreateIdentity(path)
	if err != nil {
		return err
	}
	id, err := peer.IDFromPrivateKey(key)
	if err != nil {
		return err
	}
	if id.String() != peerID {
		return fmt.Errorf("the key is %s's, not %s's", id, peerID)
	}
	return nil
}
