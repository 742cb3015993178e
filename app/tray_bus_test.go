//go:build linux || freebsd || openbsd || netbsd || dragonfly

package app

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"testing"

	"hallway/assets"
)

// The tray gets Hallway's icon small: the tray keeps it as raw pixels.
func TestTrayIconSmall(t *testing.T) {
	got, _, err := image.Decode(bytes.NewReader(smallIcon(assets.Icon, trayIconSize)))
	if err != nil {
		t.Fatal(err)
	}
	if b := got.Bounds(); b.Dx() != trayIconSize || b.Dy() != trayIconSize {
		t.Fatalf("tray icon %v; want %d pixels square", b, trayIconSize)
	}
	// The middle of the icon keeps the colour of the middle of the original.
	src, _ := png.Decode(bytes.NewReader(assets.Icon))
	want := color.NRGBAModel.Convert(src.At(256, 256)).(color.NRGBA)
	have := color.NRGBAModel.Convert(got.At(32, 32)).(color.NRGBA)
	if d := int(want.R) - int(have.R) + int(want.G) - int(have.G) + int(want.B) - int(have.B); d > 24 || d < -24 || have.A < 200 {
		t.Errorf("middle of the tray icon %v; the original's %v", have, want)
	}
	// What is not an image, or already small, is handed on as it is.
	for _, data := range [][]byte{[]byte("not an image"), smallIcon(assets.Icon, 16)} {
		if out := smallIcon(data, trayIconSize); !bytes.Equal(out, data) {
			t.Errorf("smallIcon changed %d bytes it should have kept", len(data))
		}
	}
}
