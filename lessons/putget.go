package lessons

import (
	"context"
	"fmt"

	clientv3 "go.etcd.io/etcd/client/v3"

	"etcdtour/runner"
)

// PutGet shows what etcd records about a key: its revisions and version.
var PutGet = runner.Lesson{
	ID:     "put-get",
	Title:  "Put and Get",
	Doc:    "Write and read keys, and see what etcd records about each: create_revision, mod_revision, version, and the store's revision.",
	Source: "lessons/putget.go",
	Run:    putGet,
}

func putGet(ctx context.Context, t *runner.T) error {
	cli := t.Client

	t.Step("Put a key")
	t.Etcdctl("put", t.Key("name"), "xiaomotong")
	ctx1, cancel := context.WithTimeout(ctx, t.Timeout())
	put, err := cli.Put(ctx1, "name", "xiaomotong")
	cancel()
	if err != nil {
		return fmt.Errorf("put %q: %w", "name", err)
	}
	rev1 := put.Header.Revision
	t.Result("header revision=%d", rev1)
	t.Say(`Every change to the store gets the next revision: one counter for the
whole cluster.`)

	t.Step("Get it back")
	t.Etcdctl("get", t.Key("name"), "-w", "json")
	ctx1, cancel = context.WithTimeout(ctx, t.Timeout())
	get, err := cli.Get(ctx1, "name")
	cancel()
	if err != nil {
		return fmt.Errorf("get %q: %w", "name", err)
	}
	if len(get.Kvs) != 1 {
		return fmt.Errorf("get %q: want 1 key, got %d", "name", len(get.Kvs))
	}
	kv := get.Kvs[0]
	t.Result("%s  (header revision=%d)", runner.KV(kv), get.Header.Revision)
	t.Check(string(kv.Value) == "xiaomotong", "the value is what we put")
	t.Check(kv.CreateRevision == rev1 && kv.ModRevision == rev1, "create_revision and mod_revision are the put's revision %d", rev1)
	t.Check(kv.Version == 1, "version is 1: the key was written once")

	t.Step("Overwrite it, asking for the previous value")
	t.Etcdctl("put", "--prev-kv", t.Key("name"), "etcd")
	ctx1, cancel = context.WithTimeout(ctx, t.Timeout())
	put, err = cli.Put(ctx1, "name", "etcd", clientv3.WithPrevKV())
	cancel()
	if err != nil {
		return fmt.Errorf("put %q: %w", "name", err)
	}
	rev2 := put.Header.Revision
	t.Check(put.PrevKv != nil && string(put.PrevKv.Value) == "xiaomotong", "WithPrevKV returns the old value")
	ctx1, cancel = context.WithTimeout(ctx, t.Timeout())
	get, err = cli.Get(ctx1, "name")
	cancel()
	if err != nil || len(get.Kvs) != 1 {
		return fmt.Errorf("get %q after overwrite: %v (%d keys)", "name", err, len(get.Kvs))
	}
	kv = get.Kvs[0]
	t.Result("%s", runner.KV(kv))
	t.Say(`create_revision stays, mod_revision moves to the new revision,
version counts the writes.`)
	t.Check(kv.CreateRevision == rev1, "create_revision unchanged (%d)", kv.CreateRevision)
	t.Check(kv.ModRevision == rev2 && rev2 > rev1, "mod_revision is the overwrite's revision %d", rev2)
	t.Check(kv.Version == 2, "version is 2")

	t.Step("Get a whole prefix")
	for _, k := range []string{"dir/a", "dir/b", "dir/c"} {
		ctx1, cancel = context.WithTimeout(ctx, t.Timeout())
		_, err = cli.Put(ctx1, k, "v-"+k[len(k)-1:])
		cancel()
		if err != nil {
			return fmt.Errorf("put %q: %w", k, err)
		}
	}
	t.Etcdctl("get", "--prefix", t.Key("dir/"))
	ctx1, cancel = context.WithTimeout(ctx, t.Timeout())
	get, err = cli.Get(ctx1, "dir/", clientv3.WithPrefix())
	cancel()
	if err != nil {
		return fmt.Errorf("get prefix %q: %w", "dir/", err)
	}
	var keys []string
	for _, kv := range get.Kvs {
		t.Result("%s", runner.KV(kv))
		keys = append(keys, string(kv.Key))
	}
	t.Result("count=%d", get.Count)
	t.Check(get.Count == 3 && fmt.Sprint(keys) == "[dir/a dir/b dir/c]", "three keys, sorted by key: %v", keys)

	t.Step("Delete")
	t.Etcdctl("del", "--prev-kv", t.Key("name"))
	ctx1, cancel = context.WithTimeout(ctx, t.Timeout())
	del, err := cli.Delete(ctx1, "name", clientv3.WithPrevKV())
	cancel()
	if err != nil {
		return fmt.Errorf("delete %q: %w", "name", err)
	}
	t.Result("deleted=%d, previous value %q", del.Deleted, prevValue(del.PrevKvs))
	t.Check(del.Deleted == 1, "one key deleted")
	t.Etcdctl("del", "--prefix", t.Key("dir/"))
	ctx1, cancel = context.WithTimeout(ctx, t.Timeout())
	del, err = cli.Delete(ctx1, "dir/", clientv3.WithPrefix())
	cancel()
	if err != nil {
		return fmt.Errorf("delete prefix %q: %w", "dir/", err)
	}
	t.Result("deleted=%d", del.Deleted)
	t.Check(del.Deleted == 3, "the prefix delete removed all three")
	ctx1, cancel = context.WithTimeout(ctx, t.Timeout())
	get, err = cli.Get(ctx1, "", clientv3.WithPrefix(), clientv3.WithCountOnly())
	cancel()
	if err != nil {
		return fmt.Errorf("count keys: %w", err)
	}
	t.Check(get.Count == 0, "no key left (count=%d)", get.Count)
	return nil
}
