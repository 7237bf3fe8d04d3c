package cli

import "etcdtour/runner"

// shortRunID is the run ID of an --interactive run on an embedded etcd.
const shortRunID = "tour"

// shortKeys gives an --interactive run on an embedded etcd keys short
// enough to type in another terminal, /tour/watch/name instead of
// /etcdtour/565178a7/watch/name: the learner is alone on that etcd, so no
// other run's keys need a random run ID to stay apart. --prefix or --run-id
// given keep theirs.
func (o *options) shortKeys(cfg *runner.Config) {
	if o.interactive && o.runID == "" && o.prefix == runner.DefaultPrefix {
		cfg.Prefix, cfg.RunID = "/", shortRunID
	}
}
