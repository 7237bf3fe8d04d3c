package cli

import (
	"os"
	"syscall"
)

// stdoutClosed reports whether etcdtour was started with its stdout closed
// (`etcdtour >&-`). Go's runtime then opens /dev/null read-write as fd 1
// before main runs, and every write would succeed unseen; a shell's
// `>/dev/null` opens it write-only.
func stdoutClosed() bool {
	var st, null syscall.Stat_t
	if syscall.Fstat(1, &st) != nil || syscall.Stat(os.DevNull, &null) != nil {
		return false
	}
	if st.Mode&syscall.S_IFMT != syscall.S_IFCHR || st.Rdev != null.Rdev {
		return false
	}
	flags, _, errno := syscall.Syscall(syscall.SYS_FCNTL, 1, syscall.F_GETFL, 0)
	return errno == 0 && flags&syscall.O_ACCMODE == syscall.O_RDWR
}
