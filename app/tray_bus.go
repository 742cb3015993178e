//go:build linux || freebsd || openbsd || netbsd || dragonfly

package app

import (
	"bytes"
	"image"
	"image/png"
	"sync"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/systray"
	"golang.org/x/image/draw"
)

// trayIconSize is the side, in pixels, of the icon handed to the tray:
// panels draw tray icons at 16 to 48 pixels and scale what they get.
const trayIconSize = 64

// busTray shows Hallway in a Linux desktop's tray through the session bus
// (the StatusNotifierItem protocol, spoken by fyne.io/systray, as Fyne's
// own tray does). Fyne's tray also opens a hidden second window, and with
// it a second drawing context (8.8 MB of private memory with software
// drawing), only to learn when the tray asks to quit; Hallway's menu
// quits by itself, so the tray needs no window.
type busTray struct {
	once sync.Once
	end  func()
}

// nativeTray is the session bus's tray.
func nativeTray(desktop.App) desktop.App { return &busTray{} }

// start puts the icon on the bus, once.
func (b *busTray) start() {
	b.once.Do(func() {
		start, end := systray.RunWithExternalLoop(nil, nil)
		start()
		systray.SetTitle("Hallway") // some panels fail on an item without one
		b.end = end
	})
}

func (b *busTray) close() {
	if b.end != nil {
		b.end()
	}
}

func (b *busTray) SetSystemTrayIcon(icon fyne.Resource) {
	b.start()
	systray.SetIcon(smallIcon(icon.Content(), trayIconSize))
}

// SetSystemTrayWindow brings w to the front when the icon is clicked.
func (b *busTray) SetSystemTrayWindow(w fyne.Window) {
	b.start()
	systray.SetOnTapped(func() {
		fyne.Do(func() {
			w.Show()
			w.RequestFocus()
		})
	})
}

// SetSystemTrayMenu replaces the tray's menu with m's items; an item
// clicked runs its action on the UI goroutine.
func (b *busTray) SetSystemTrayMenu(m *fyne.Menu) {
	b.start()
	systray.ResetMenu() // ends the listeners of the items it removes
	for _, it := range m.Items {
		if it.IsSeparator {
			systray.AddSeparator()
			continue
		}
		var item *systray.MenuItem
		if it.Checked {
			item = systray.AddMenuItemCheckbox(it.Label, "", true)
		} else {
			item = systray.AddMenuItem(it.Label, "")
		}
		if it.Disabled {
			item.Disable()
		}
		if action := it.Action; action != nil {
			go func() {
				for range item.ClickedCh {
					fyne.Do(action)
				}
			}()
		}
	}
}

// smallIcon returns the PNG image data scaled to side pixels square, or
// data itself when it is no image: the tray keeps the icon as raw pixels,
// 1 MB at the 512 pixels of Hallway's.
func smallIcon(data []byte, side int) []byte {
	src, _, err := image.Decode(bytes.NewReader(data))
	if err != nil || src.Bounds().Dx() <= side {
		return data
	}
	dst := image.NewNRGBA(image.Rect(0, 0, side, side))
	draw.CatmullRom.Scale(dst, dst.Bounds(), src, src.Bounds(), draw.Src, nil)
	var out bytes.Buffer
	if err := png.Encode(&out, dst); err != nil {
		return data
	}
	return out.Bytes()
}
