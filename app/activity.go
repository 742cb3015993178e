package app

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/widget"
)

// activityCatcher wraps the main view and reports mouse movement over it,
// which together with typing and taps tells the idle tracker the user is
// there.
type activityCatcher struct {
	widget.BaseWidget
	content fyne.CanvasObject
	onMove  func()
}

var _ desktop.Hoverable = (*activityCatcher)(nil)

func newActivityCatcher(content fyne.CanvasObject, onMove func()) *activityCatcher {
	a := &activityCatcher{content: content, onMove: onMove}
	a.ExtendBaseWidget(a)
	return a
}

func (a *activityCatcher) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(a.content)
}

func (a *activityCatcher) MouseIn(*desktop.MouseEvent)    { a.onMove() }
func (a *activityCatcher) MouseMoved(*desktop.MouseEvent) { a.onMove() }
func (a *activityCatcher) MouseOut()                      {}
