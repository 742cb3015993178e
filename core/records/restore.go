package records

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
	"math"
	"os"
	"path/filepath"
	"time"

	"hallway/chat"
	hcrypto "hallway/crypto"
	"hallway/files"
	"hallway/storage"

	"github.com/libp2p/go-libp2p/core/peer"
)

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

// Target is the data folder a backup is restored into.
type Target struct {
	Dir    string
	Layout Layout
	// Lock makes the folder if need be and takes it for the restore,
	// failing (with a user-facing error) while a node uses it; release
	// gives it back.
	Lock func() (release func(), err error)
}

// Restore brings a backup (read from r) back into the data folder, which
// no Hallway may be using: it holds the folder's lock for the whole
// restore, so a node cannot start meanwhile either. Every member is
// checked against the manifest and the history with SQLite's integrity
// check before anything in the folder is touched; then the files are
// moved in.
func Restore(ctx context.Context, r io.Reader, to Target, opt RestoreOptions) (RestoreResult, error) {
	dir, lay := to.Dir, to.Layout
	res := RestoreResult{DataDir: dir}
	release, err := to.Lock()
	if err != nil {
		return res, err
	}
	defer release()
	tmp, err := os.MkdirTemp(dir, ".restore-")
	if err != nil {
		return res, fmt.Errorf("restore: %w", err)
	}
	defer os.RemoveAll(tmp)
	info, err := extractBackup(r, tmp, lay)
	if err != nil {
		return res, chat.NewUserError("this is not a usable Hallway backup: "+err.Error(), err)
	}
	res.Backup = info
	if _, err := storage.CheckSnapshot(ctx, filepath.Join(tmp, lay.Database)); err != nil {
		return res, chat.NewUserError("the history in this backup is damaged: "+err.Error(), err)
	}
	if err := checkRestoredIdentity(filepath.Join(tmp, lay.Identity), info.PeerID); err != nil {
		return res, chat.NewUserError("the identity in this backup does not match it: "+err.Error(), err)
	}
	if !opt.Force {
		if err := refuseOverwrite(ctx, dir, lay, info.PeerID); err != nil {
			return res, err
		}
	}
	res.Replaced, err = moveIn(dir, tmp, lay, info)
	return res, err
}

// extractBackup reads the manifest, then writes each member it lists to
// dir, checking names, sizes and hashes.
func extractBackup(r io.Reader, dir string, lay Layout) (BackupInfo, error) {
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
		case lay.Identity, lay.Workspace, lay.Database:
		default:
			return info, fmt.Errorf("unexpected member %q", f.Name)
		}
		want[f.Name] = f
	}
	if _, ok := want[lay.Identity]; !ok {
		return info, errors.New("no identity key")
	}
	if _, ok := want[lay.Database]; !ok {
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
			(hdr.Name != lay.Database && f.Size > maxKeyMember) {
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
func checkSpace(dir string, members []BackupFile) error {
	var need int64
	for _, f := range members {
		if f.Size < 0 || f.Size > maxBackupMember {
			return fmt.Errorf("%s declares %d bytes", f.Name, f.Size)
		}
		need += f.Size
	}
	avail, err := files.FreeSpaceAt(dir)
	if err != nil {
		return nil // unknown: the writes themselves will fail if it does not fit
	}
	if free := int64(min(avail, math.MaxInt64)); need > free {
		return fmt.Errorf("it needs %d bytes and %s has %d free", need, dir, free)
	}
	return nil
}

// refuseOverwrite fails when dir holds a history, or an identity other
// than the backup's.
func refuseOverwrite(ctx context.Context, dir string, lay Layout, peerID string) error {
	has, err := storage.HasHistory(ctx, filepath.Join(dir, lay.Database))
	if err != nil {
		return err
	}
	if has {
		return chat.NewUserError(fmt.Sprintf("%s already holds a history; restore with --force to replace it (it is kept aside)", dir), ErrHistoryExists)
	}
	if _, err := os.Stat(filepath.Join(dir, lay.Identity)); err == nil {
		if checkRestoredIdentity(filepath.Join(dir, lay.Identity), peerID) != nil {
			return chat.NewUserError(fmt.Sprintf("%s holds another identity; restore with --force to replace it (it is kept aside)", dir), ErrHistoryExists)
		}
	}
	return nil
}

// moveIn replaces dir's identity, workspace key and history with the
// restored ones, keeping any former ones in a replaced-<time> folder.
func moveIn(dir, tmp string, lay Layout, info BackupInfo) (replaced string, err error) {
	has := map[string]bool{}
	for _, f := range info.Files {
		has[f.Name] = true
	}
	var aside string
	for _, name := range []string{lay.Identity, lay.Workspace, lay.Database, lay.Database + "-wal", lay.Database + "-shm"} {
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
	for _, name := range []string{lay.Identity, lay.Workspace, lay.Database} {
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
