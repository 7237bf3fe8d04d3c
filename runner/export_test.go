package runner

// The errors a lesson's client returns, for the tests of package
// runner_test to tell them apart.
var (
	ErrClusterWide  = errClusterWide
	ErrForeignLease = errForeignLease
)
