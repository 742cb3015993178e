package app

import (
	"hash/fnv"
	"image/color"
	"math"
)

// authorColor derives a stable colour from an author's peer ID (their
// key), so a name is recognisable at a glance and two people of the same
// name usually differ in colour. Saturation and lightness are fixed so
// every colour reads on light and dark backgrounds alike.
func authorColor(peerID string) color.Color {
	h := fnv.New32a()
	h.Write([]byte(peerID))
	hue := float64(h.Sum32()%360) / 360
	return hsl(hue, 0.55, 0.48)
}

func hsl(h, s, l float64) color.NRGBA {
	q := l * (1 + s)
	if l >= 0.5 {
		q = l + s - l*s
	}
	p := 2*l - q
	conv := func(t float64) uint8 {
		t -= math.Floor(t)
		var v float64
		switch {
		case t < 1.0/6:
			v = p + (q-p)*6*t
		case t < 0.5:
			v = q
		case t < 2.0/3:
			v = p + (q-p)*(2.0/3-t)*6
		default:
			v = p
		}
		return uint8(math.Round(v * 255))
	}
	return color.NRGBA{R: conv(h + 1.0/3), G: conv(h), B: conv(h - 1.0/3), A: 0xff}
}
