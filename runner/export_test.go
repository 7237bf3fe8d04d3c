package runner

// OwnPorts is the host:port member i of c listens on itself, peer then
// client (behind its relays), for tests that take them while it is down.
func OwnPorts(c *Cluster, i int) []string {
	m := c.members[i]
	return []string{m.cfg.ListenPeerUrls[0].Host, m.cfg.ListenClientUrls[0].Host}
}
