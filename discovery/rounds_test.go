package discovery

import (
	"context"
	"log/slog"
	"slices"
	"testing"
	"testing/synctest"
	"time"

	"github.com/grandcat/zeroconf"
)

func TestBackoff(t *testing.T) {
	tests := []struct {
		n          int
		first, max time.Duration
		want       time.Duration
	}{
		{0, time.Second, 30 * time.Second, time.Second},
		{1, time.Second, 30 * time.Second, 2 * time.Second},
		{2, time.Second, 30 * time.Second, 4 * time.Second},
		{4, time.Second, 30 * time.Second, 16 * time.Second},
		{5, time.Second, 30 * time.Second, 30 * time.Second},
		{1000, time.Second, 30 * time.Second, 30 * time.Second},
		{-1, time.Second, 30 * time.Second, time.Second},
		{0, 2 * time.Second, time.Second, time.Second},
		{3, 2 * time.Second, time.Minute, 16 * time.Second},
	}
	for _, tt := range tests {
		if got := backoff(tt.n, tt.first, tt.max); got != tt.want {
			t.Errorf("backoff(%d, %v, %v) = %v, want %v", tt.n, tt.first, tt.max, got, tt.want)
		}
	}
}

// fakeRounds records when rounds open; its channel closes when the round's
// context ends, as zeroconf's does.
type fakeRounds struct {
	opened chan time.Duration // offset from epoch of each openRound
	epoch  time.Time
	closed int
}

func (f *fakeRounds) openRound(ctx context.Context, _ time.Duration) (<-chan *zeroconf.ServiceEntry, error) {
	ch := make(chan *zeroconf.ServiceEntry)
	go func() {
		<-ctx.Done()
		close(ch)
	}()
	f.opened <- time.Since(f.epoch)
	return ch, nil
}

func (f *fakeRounds) entry(context.Context, *zeroconf.ServiceEntry) bool { return true }
func (f *fakeRounds) closeRound()                                        { f.closed++ }

func TestRunRoundsSchedule(t *testing.T) {
	s := time.Second
	tests := []struct {
		name     string
		maxGap   time.Duration
		rescanAt time.Duration // 0: never
		want     []time.Duration
	}{
		{
			name:   "doubling up to the cap",
			maxGap: 8 * s,
			want:   []time.Duration{0, 1 * s, 3 * s, 7 * s, 15 * s, 23 * s, 31 * s},
		},
		{
			// The round opened at 7 s would last 8 s; the rescan at 9.5 s
			// ends it at once and the schedule starts over.
			name:     "rescan restarts fast rounds",
			maxGap:   30 * s,
			rescanAt: 9500 * time.Millisecond,
			want:     []time.Duration{0, 1 * s, 3 * s, 7 * s, 9500 * time.Millisecond, 10500 * time.Millisecond, 12500 * time.Millisecond},
		},
		{
			// A rescan right after a round opened still lets it run 1 s.
			name:     "rescan keeps the first second of a round",
			maxGap:   30 * s,
			rescanAt: 3200 * time.Millisecond,
			want:     []time.Duration{0, 1 * s, 3 * s, 4 * s, 5 * s, 7 * s},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				ctx, cancel := context.WithCancel(t.Context())
				f := &fakeRounds{opened: make(chan time.Duration, len(tt.want)+1), epoch: time.Now()}
				rescan := make(chan struct{}, 1)
				finished := make(chan struct{})
				go func() {
					defer close(finished)
					runRounds(ctx, tt.maxGap, rescan, f, slog.New(slog.DiscardHandler))
				}()
				if tt.rescanAt > 0 {
					go func() {
						select {
						case <-time.After(tt.rescanAt):
							rescan <- struct{}{}
						case <-ctx.Done():
						}
					}()
				}
				var got []time.Duration
				for range tt.want {
					got = append(got, <-f.opened)
				}
				cancel()
				<-finished
				if !slices.Equal(got, tt.want) {
					t.Fatalf("rounds opened at %v, want %v", got, tt.want)
				}
				if f.closed != len(tt.want) {
					t.Errorf("%d rounds closed, want %d", f.closed, len(tt.want))
				}
			})
		})
	}
}

// floodRounds sends entries until told to stop, like a flooded LAN.
type floodRounds struct {
	fakeRounds
	handled int
	limit   int
}

func (f *floodRounds) openRound(ctx context.Context, _ time.Duration) (<-chan *zeroconf.ServiceEntry, error) {
	ch := make(chan *zeroconf.ServiceEntry)
	go func() {
		defer close(ch)
		for {
			select {
			case ch <- &zeroconf.ServiceEntry{}:
			case <-ctx.Done():
				return
			}
		}
	}()
	f.opened <- time.Since(f.epoch)
	return ch, nil
}

func (f *floodRounds) entry(context.Context, *zeroconf.ServiceEntry) bool {
	f.handled++
	return f.handled%f.limit != 0
}

func TestRunRoundsFloodKeepsSchedule(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		f := &floodRounds{fakeRounds: fakeRounds{opened: make(chan time.Duration, 4), epoch: time.Now()}, limit: 100}
		finished := make(chan struct{})
		go func() {
			defer close(finished)
			runRounds(ctx, 30*time.Second, nil, f, slog.New(slog.DiscardHandler))
		}()
		var got []time.Duration
		for range 3 {
			got = append(got, <-f.opened)
		}
		cancel()
		<-finished
		// Ending a flooded round early must not make queries come faster.
		if want := []time.Duration{0, time.Second, 3 * time.Second}; !slices.Equal(got, want) {
			t.Fatalf("rounds opened at %v, want %v", got, want)
		}
	})
}
