package records

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"
)

// Layout names the files of a data folder that a backup holds; the backup
// names its members the same way.
type Layout struct {
	Identity  string // the identity key
	Workspace string // the workspace key, when the node has one
	Database  string // the history
}

// Config configures a Keeper.
type Config struct {
	// DataDir is the data folder; exports and backups stage files in it.
	DataDir string
	// Layout names the files in DataDir.
	Layout Layout
	// SweepEvery is how often retention is applied while the node runs;
	// it is also applied at start and whenever a policy or hold changes.
	// Default: an hour.
	SweepEvery time.Duration
}

// DefaultSweepEvery is SweepEvery's default.
const DefaultSweepEvery = time.Hour

// Keeper searches, exports and backs up the history and applies retention.
type Keeper struct {
	cfg     Config
	deps    Deps
	self    peer.ID
	sweeper *sweeper
}

// New builds a Keeper; Run applies retention until its context ends.
func New(cfg Config, deps Deps) (*Keeper, error) {
	if cfg.SweepEvery <= 0 {
		cfg.SweepEvery = DefaultSweepEvery
	}
	if deps.Log == nil {
		deps.Log = slog.New(slog.DiscardHandler)
	}
	self, err := peer.IDFromPrivateKey(deps.Key)
	if err != nil {
		return nil, fmt.Errorf("records: identity: %w", err)
	}
	k := &Keeper{cfg: cfg, deps: deps, self: self}
	k.sweeper = newSweeper(deps.Store, cfg.SweepEvery, deps.Log, k.sweepDone)
	return k, nil
}

// Run applies retention at start, every SweepEvery and whenever a policy
// or a hold changes, until ctx ends.
func (k *Keeper) Run(ctx context.Context) error { return k.sweeper.run(ctx) }
