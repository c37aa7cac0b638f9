//go:build race

package app

// raceEnabled is true when the tests run under the race detector (much
// slower): long randomized tests shorten themselves.
const raceEnabled = true
