//go:build race

package runnertest

// raceDetector: the tests run under -race, which costs every goroutine
// several times the CPU.
const raceDetector = true
