// Package assets holds Hallway's embedded resources: the application icon
// and other images the window shows. It only carries bytes; the window
// turns them into Fyne resources.
package assets

import _ "embed"

// Icon is the 512×512 PNG application icon.
//
//go:embed icon.png
var Icon []byte
