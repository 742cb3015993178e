package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"hallway/assets"

	"fyne.io/fyne/v2"
)

// AppID is the application id (as in FyneApp.toml).
const AppID = "im.hallway.desktop"

// ErrNoDisplay: there is no graphical session to open a window in.
var ErrNoDisplay = errors.New("no display: neither $DISPLAY nor $WAYLAND_DISPLAY is set, so the window cannot open. " +
	"Run Hallway headless with `hallway daemon` (every other verb works against it), or start it from a desktop session")

// CheckDisplay reports ErrNoDisplay when there is no graphical session;
// the caller checks before it creates the fyne.App. What counts as one is
// per platform (display_unix.go, display_windows.go, display_darwin.go).
func CheckDisplay() error { return checkDisplay() }

// Options configure the window.
type Options struct {
	// Node runs the node and its control API, and hands the window each
	// core that comes up.
	Node Node
	Log  *slog.Logger
	// Idle is the desktop's idle clock; nil: only input in the window
	// counts, and the settings say so.
	Idle IdleSource
	// FirstFrame, when set, is called once the window has drawn with a
	// node attached (benchmarks).
	FirstFrame func()
	// HasTray tells whether the desktop can show a tray icon; nil: it
	// can.
	HasTray func() bool
}

// Run opens the window of a and runs Hallway in it until the user quits
// or ctx ends. It must run on the main goroutine.
func Run(ctx context.Context, a fyne.App, opt Options) error {
	if opt.Log == nil {
		opt.Log = slog.New(slog.DiscardHandler)
	}
	a.SetIcon(fyne.NewStaticResource("hallway.png", assets.Icon))
	w := a.NewWindow("Hallway")
	w.Resize(fyne.NewSize(1100, 720))
	u := newUI(a, w)
	u.log = opt.Log
	u.trim = &trimmer{done: func(drawn bool, heap, released uint64, took time.Duration) {
		level := slog.LevelDebug // the periodic trim
		if drawn {
			level = slog.LevelInfo
		}
		opt.Log.Log(context.Background(), level, "memory trimmed", "heap_mb", heap>>20, "released_mb", released>>20, "took", took)
	}}
	u.trim.start()
	defer u.trim.stop()
	u.useIdle(opt.Idle)
	u.tray.start(opt.HasTray)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	var runErr error
	eng := &engine{node: opt.Node}
	eng.up = func(c Core) {
		onUI(func() {
			u.attach(c)
			opt.Log.Info("window ready")
			if opt.FirstFrame != nil {
				f := opt.FirstFrame
				opt.FirstFrame = nil
				f()
			}
		})
	}
	eng.down = func(err error) {
		if err == nil {
			return
		}
		opt.Log.Error("Hallway stopped", "err", err)
		runErr = err
		onUI(func() {
			u.banner.show("Hallway stopped: "+message(err), true)
			a.Quit()
		})
	}
	a.Lifecycle().SetOnEnteredForeground(func() { u.focusChanged(true) })
	a.Lifecycle().SetOnExitedForeground(func() { u.focusChanged(false) })
	a.Lifecycle().SetOnStarted(func() { eng.start(ctx) })
	w.SetCloseIntercept(func() {
		if u.tray.keepsRunning() {
			w.Hide()
			return
		}
		a.Quit()
	})
	w.SetMaster()
	go func() {
		<-ctx.Done()
		onUI(a.Quit)
	}()
	w.ShowAndRun()
	u.tray.stop()
	u.idle.close()
	stopped := make(chan struct{})
	go func() { eng.stop(); close(stopped) }()
	select {
	case <-stopped:
	case <-time.After(15 * time.Second):
		return fmt.Errorf("the node did not stop within 15 s")
	}
	return runErr
}
