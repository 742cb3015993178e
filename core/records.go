package core

import (
	"context"
	"errors"
	"fmt"
	"io"

	"hallway/chat"
	"hallway/core/records"
	"hallway/policy"

	"github.com/libp2p/go-libp2p/core/peer"
)

// The records' vocabulary as core's users have known it.
type (
	ExportOptions   = records.ExportOptions
	ExportSummary   = records.ExportSummary
	BackupInfo      = records.BackupInfo
	BackupFile      = records.BackupFile
	RestoreOptions  = records.RestoreOptions
	RestoreResult   = records.RestoreResult
	RetentionPolicy = records.RetentionPolicy
	LegalHold       = records.LegalHold
	RetentionStatus = records.RetentionStatus
)

const (
	ExportJSON       = records.ExportJSON
	ExportHTML       = records.ExportHTML
	RetentionInherit = records.RetentionInherit
)

// ErrHistoryExists means a restore would replace a history or identity.
var ErrHistoryExists = records.ErrHistoryExists

// dataLayout names the data folder's files as backups hold them.
var dataLayout = records.Layout{Identity: identityFile, Workspace: workspaceFile, Database: databaseFile}

func (s *Service) newRecords() (*records.Keeper, error) {
	return records.New(records.Config{DataDir: s.cfg.DataDir, Layout: dataLayout},
		records.Deps{Store: s.store, Key: s.key, People: (*recordsLookup)(s), Rooms: (*recordsLookup)(s),
			DMContent: dmContent, Events: (*recordsLookup)(s), Workspace: (*recordsLookup)(s), Log: s.log})
}

// Search: see records.Keeper.Search.
func (s *Service) Search(ctx context.Context, q chat.SearchQuery) ([]chat.SearchHit, error) {
	return s.records.Search(ctx, q)
}

// Export: see records.Keeper.Export.
func (s *Service) Export(ctx context.Context, opt ExportOptions, w io.Writer) (ExportSummary, error) {
	return s.records.Export(ctx, opt, w)
}

// Backup: see records.Keeper.Backup.
func (s *Service) Backup(ctx context.Context, w io.Writer) (BackupInfo, error) {
	return s.records.Backup(ctx, w)
}

// Retention: see records.Keeper.Retention.
func (s *Service) Retention(ctx context.Context) (RetentionStatus, error) {
	return s.records.Retention(ctx)
}

// SetRetention: see records.Keeper.SetRetention.
func (s *Service) SetRetention(ctx context.Context, in string, days int) (RetentionStatus, error) {
	return s.records.SetRetention(ctx, in, days)
}

// PlaceHold: see records.Keeper.PlaceHold.
func (s *Service) PlaceHold(ctx context.Context, in, reason string) (LegalHold, error) {
	return s.records.PlaceHold(ctx, in, reason)
}

// ReleaseHold: see records.Keeper.ReleaseHold.
func (s *Service) ReleaseHold(ctx context.Context, id string) (LegalHold, error) {
	return s.records.ReleaseHold(ctx, id)
}

// ApplyRetention: see records.Keeper.ApplyRetention.
func (s *Service) ApplyRetention(ctx context.Context) (chat.SweepResult, error) {
	return s.records.ApplyRetention(ctx)
}

// Restore brings a backup (read from r) back into the data folder dir,
// which no Hallway may be using; see records.Restore.
func Restore(ctx context.Context, r io.Reader, dir string, opt RestoreOptions) (RestoreResult, error) {
	return records.Restore(ctx, r, records.Target{Dir: dir, Layout: dataLayout, Lock: func() (func(), error) { return lockForRestore(dir) }}, opt)
}

// lockForRestore makes dir if need be and takes its lock for a restore.
func lockForRestore(dir string) (release func(), err error) {
	if err := ensureDataDir(dir); err != nil {
		return nil, err
	}
	lock, err := lockDataDir(dir)
	if errors.Is(err, ErrAlreadyRunning) {
		return nil, chat.NewUserError(fmt.Sprintf("a Hallway is running on %s; stop it before restoring", dir), err)
	}
	if err != nil {
		return nil, err
	}
	return lock.release, nil
}

// recordsLookup lends records the colleague and room lookups and the
// event bus that live elsewhere in core.
type recordsLookup Service

func (l *recordsLookup) Resolve(ctx context.Context, ref string) (peer.ID, error) {
	return (*Service)(l).Resolve(ctx, ref)
}

func (l *recordsLookup) Name(ctx context.Context, id peer.ID) string {
	return (*Service)(l).colleague(ctx, id).Name
}

func (l *recordsLookup) SelfName() string { return (*Service)(l).currentProfile().Name }

func (l *recordsLookup) Author(ctx context.Context, id, signed string) chat.Author {
	return l.authors.Author(ctx, id, signed)
}

func (l *recordsLookup) JoinedRoom(ref string) (string, error) {
	return l.rooms.Joined().ResolveID(ref)
}

func (l *recordsLookup) Publish(e chat.Event) { l.bus.publish(e) }

var (
	_ records.People    = (*recordsLookup)(nil)
	_ records.Rooms     = (*recordsLookup)(nil)
	_ records.Publisher = (*recordsLookup)(nil)
)

// WorkspacePolicy is the signed workspace policy in force.
func (l *recordsLookup) WorkspacePolicy() policy.Document {
	if l.rooms == nil {
		return policy.Document{}
	}
	return l.rooms.WorkspacePolicy()
}

// WorkspaceRoomID is the workspace room's id, "" for none.
func (l *recordsLookup) WorkspaceRoomID() string {
	if l.rooms == nil {
		return ""
	}
	return l.rooms.WorkspaceRoomID()
}

// Governed reports a workspace with admins.
func (l *recordsLookup) Governed() bool { return l.rooms != nil && l.rooms.Governed() }
