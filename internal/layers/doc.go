// Package layers holds the test that keeps Hallway's package layering
// true: the window reaches no networking or database code, the engine
// never links the GUI toolkit, the lowest packages speak only the
// vocabulary, and product code never imports the testing package.
//
// It has no code of its own; the rules live in its test.
package layers
