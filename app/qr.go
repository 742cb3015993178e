package app

import (
	"image"
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"rsc.io/qr"
)

// qrImage draws text as a QR code (medium error correction, a four-module
// quiet zone), or nil when the text does not fit in one.
func qrImage(text string) image.Image {
	code, err := qr.Encode(text, qr.M)
	if err != nil {
		return nil
	}
	const quiet = 4
	n := code.Size + 2*quiet
	img := image.NewGray(image.Rect(0, 0, n, n))
	for y := range n {
		for x := range n {
			c := color.Gray{Y: 0xff}
			if code.Black(x-quiet, y-quiet) {
				c = color.Gray{Y: 0}
			}
			img.SetGray(x, y, c)
		}
	}
	return img
}

// qrObject is a QR code widget of the given side.
func qrObject(text string, side float32) fyne.CanvasObject {
	img := canvas.NewImageFromImage(qrImage(text))
	img.ScaleMode = canvas.ImageScalePixels
	img.FillMode = canvas.ImageFillContain
	img.SetMinSize(fyne.NewSize(side, side))
	return img
}
