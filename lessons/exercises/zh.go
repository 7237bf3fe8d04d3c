package exercises

import "maps"

// chinese is the Chinese of the exercises: titles, hints, the checks'
// lines and findings, the lesson steps they point to, and the workspace's
// README. TestChinese proves each exercise's texts are here.
var chinese = map[string]string{
	// put-get
	"Count a visit: read, write back, and return your write's revision":                          "记一次访问：读出、写回，并返回你这次写入的 revision",
	"A missing key is a Get with no Kvs: len(resp.Kvs) == 0, and the count is 0.":                "不存在的 key，Get 的结果里没有 Kvs：len(resp.Kvs) == 0，计数就是 0。",
	"The revision etcd gave your write is in the Put's response: put.Header.Revision.":           "etcd 给你这次写入的 revision 在 Put 的响应里：put.Header.Revision。",
	"The Get's revision + 1 is a guess: another client may write between your Get and your Put.": "Get 的 revision + 1 只是猜测：别的客户端可能在你的 Get 和 Put 之间写入。",
	visitNew:     "一个不存在的 key：计数为 1，revision 是你的 Put 的",
	visitAgain:   "同一个 key 再来一次：计数为 2，version 为 2，create_revision 不变",
	visitOthers:  "别的客户端写入的计数：41 变成 42",
	visitBetween: "你的 Get 和 Put 之间有另一次写入：revision 必须是你这次写入的",
	"put-get, step 1 (Put a key) and step 2 (Get it back)":                                                                      "put-get，第 1 步（写入一个 key）和第 2 步（把它读回来）",
	"put-get, step 3 (Overwrite it, asking for the previous value)":                                                             "put-get，第 3 步（覆盖它，同时要回旧值）",
	"put-get, step 2 (Get it back)":                                                                                             "put-get，第 2 步（把它读回来）",
	"put-get, step 1 (Put a key): each write gets the next revision of the whole store":                                         "put-get，第 1 步（写入一个 key）：每次写入都拿到整个存储的下一个 revision",
	"after Visit the key %s does not exist: Put the new count to the key you were given":                                        "Visit 之后 key %s 不存在：请把新的计数 Put 到传给你的那个 key",
	"the key held %s before Visit; Visit returned count %d, want %d: read the count from etcd (a missing key is 0) and add one": "Visit 之前 key 的值是 %s；Visit 返回的计数是 %d，应为 %d：请从 etcd 读出计数（key 不存在时为 0）再加一",
	"after Visit the key holds %q, want %q: Put the new count as a decimal string (strconv.Itoa)":                               "Visit 之后 key 的值是 %q，应为 %q：请把新的计数写成十进制字符串再 Put（strconv.Itoa）",
	"the checker wrote another key at revision %d, between your Get and your Put; Visit returned %d, but your Put got %d (the key's mod_revision): return put.Header.Revision, not a guess from the Get": "检查器在你的 Get 和 Put 之间、在 revision %d 写了另一个 key；Visit 返回了 %d，但你的 Put 拿到的是 %d（key 的 mod_revision）：请返回 put.Header.Revision，不要根据 Get 去猜",
	"Visit returned revision %d, but etcd applied your write at revision %d (the key's mod_revision): return the Put's put.Header.Revision":                                                              "Visit 返回的 revision 是 %d，但 etcd 是在 revision %d 应用你的写入的（key 的 mod_revision）：请返回 Put 的 put.Header.Revision",
	"the key's version is %d after this Visit, want %d: one Put per Visit, and no Delete (a delete starts the version again)":                                                                            "这次 Visit 之后 key 的 version 是 %d，应为 %d：每次 Visit 只 Put 一次，不要 Delete（删除会让 version 从头算起）",
	"the key was created again by this Visit (create_revision %d): overwrite it with Put, do not delete it first":                                                                                        "这次 Visit 把 key 重新创建了一遍（create_revision %d）：请直接用 Put 覆盖，不要先删除",
	"Visit sent no Get: read the count with cli.Get before you write it":                                                                                                                                 "Visit 没有发出 Get：写入之前请先用 cli.Get 读出计数",

	// watch
	"Everything after a snapshot: none missed, none twice":                                                   "快照之后的一切：一个不漏，一个不重",
	"Read the prefix with cli.Get(ctx, prefix, clientv3.WithPrefix()); its revision is get.Header.Revision.": "用 cli.Get(ctx, prefix, clientv3.WithPrefix()) 读取前缀；它的 revision 是 get.Header.Revision。",
	"Watch from the revision after the snapshot: clientv3.WithRev(get.Header.Revision + 1). Without WithRev the watch starts from now and misses what was written in between; from get.Header.Revision it repeats a write the snapshot holds.": "从快照之后的那个 revision 开始监听：clientv3.WithRev(get.Header.Revision + 1)。不加 WithRev，监听从“现在”开始，会漏掉中间写入的内容；从 get.Header.Revision 开始，又会重复快照里已有的一次写入。",
	"One WatchResponse can carry several events (a Txn's writes): range over resp.Events, and take each event's revision from ev.Kv.ModRevision and its kind from ev.Type.":                                                                    "一个 WatchResponse 可能带有多个事件（一个 Txn 的多次写入）：遍历 resp.Events，每个事件的 revision 取 ev.Kv.ModRevision，类型取 ev.Type。",
	watchSnapshot: "快照：你的 Get 那一刻前缀下的每一个 key",
	watchGap:      "你的 Get 和 Watch 之间的一次写入：报告一次，带它的 revision",
	watchFlow:     "之后的每一次变化，按顺序，各一次：put、一次删除、一个 Txn 的两次写入",
	watchCancel:   "ctx 取消后 Follow 返回",
	"watch, step 1 (Read the key, then watch it from the next revision)":                                                                                                            "watch，第 1 步（读取 key，然后从下一个修订号开始监听）",
	"watch, step 2 (A second client writes; the watch sees each change in order)":                                                                                                   "watch，第 2 步（第二个客户端写入；监听按顺序看到每一次变化）",
	"watch, step 4 (Cancel the watches and read their channels until they close)":                                                                                                   "watch，第 4 步（取消监听，并读取它们的通道直到通道关闭）",
	"Follow did not return within 3s after its ctx was cancelled: pass ctx to cli.Watch and return when its channel closes":                                                         "ctx 取消后 3s 内 Follow 没有返回：把 ctx 传给 cli.Watch，并在它的通道关闭时返回",
	"snapshot was called twice: call it once, with the Get's keys":                                                                                                                  "snapshot 被调用了两次：只调用一次，传入 Get 读到的 key",
	"Follow returned, with no error, before it read the prefix: Get it, then watch until ctx is done":                                                                               "Follow 在读取前缀之前就返回了，且没有错误：先 Get，再一直监听到 ctx 结束",
	"Follow sent no Get within 3s: read the prefix with cli.Get first":                                                                                                              "Follow 在 3s 内没有发出 Get：请先用 cli.Get 读取前缀",
	"Follow returned before its ctx was cancelled: keep watching until ctx is done":                                                                                                 "Follow 在 ctx 取消之前就返回了：请一直监听到 ctx 结束",
	"changed was called before snapshot: hand the Get's keys to snapshot first":                                                                                                     "changed 在 snapshot 之前被调用了：请先把 Get 读到的 key 交给 snapshot",
	"your snapshot is empty, but %s holds %s at your Get's revision %d: Get the prefix with clientv3.WithPrefix()":                                                                  "你的快照是空的，但在你的 Get 的 revision %[3]d 时，%[1]s 下有 %[2]s：请用 clientv3.WithPrefix() 读取前缀",
	"your snapshot is %s, want %s (the keys under %s at your Get's revision %d)":                                                                                                    "你的快照是 %s，应为 %s（你的 Get 的 revision %[4]d 时 %[3]s 下的 key）",
	"your watcher reported %s at revision %d, which your snapshot (revision %d) already holds: watch from get.Header.Revision+1, not get.Header.Revision":                           "你的监听报告了 revision %[2]d 的 %[1]s，而你的快照（revision %[3]d）里已经有它了：请从 get.Header.Revision+1 开始监听，而不是 get.Header.Revision",
	"your watcher reported %s at revision %d, but etcd applied it at revision %d: take the revision from ev.Kv.ModRevision, not the response's header":                              "你的监听报告 %s 的 revision 是 %d，但 etcd 是在 revision %d 应用它的：revision 请取 ev.Kv.ModRevision，而不是响应头里的",
	"a write landed at revision %d (%s) between your Get (revision %d) and your Watch; your watcher never reported it: start the watch at get.Header.Revision+1 (clientv3.WithRev)": "在你的 Get（revision %[3]d）和 Watch 之间，revision %[1]d 有一次写入（%[2]s）；你的监听始终没有报告它：请从 get.Header.Revision+1 开始监听（clientv3.WithRev）",
	"the delete of %s at revision %d was never reported: report every event, deletes too":                                                                                           "revision %[2]d 对 %[1]s 的删除始终没有报告：每个事件都要报告，删除也是",
	"%s at revision %d was never reported (within 3s of the write)":                                                                                                                 "revision %[2]d 的 %[1]s 始终没有报告（写入后 3s 内）",
	"your watcher reported %s, which is not under %s: watch with clientv3.WithPrefix()":                                                                                             "你的监听报告了 %s，它不在 %s 之下：请用 clientv3.WithPrefix() 监听",
	"the delete of %s at revision %d was reported as a put: set Deleted when ev.Type == clientv3.EventTypeDelete":                                                                   "revision %[2]d 对 %[1]s 的删除被报告成了 put：ev.Type == clientv3.EventTypeDelete 时请设置 Deleted",
	"your watcher reported %s at revision %d, but etcd applied it at revision %d: take the revision from ev.Kv.ModRevision":                                                         "你的监听报告 %s 的 revision 是 %d，但 etcd 是在 revision %d 应用它的：revision 请取 ev.Kv.ModRevision",
	"your watcher reported %s twice: one watch, each event once":                                                                                                                    "你的监听把 %s 报告了两次：一个监听，每个事件一次",
	"%s at revision %d was never reported, but %s after it was: one WatchResponse may carry several events (a Txn's writes, or a catch-up): range over resp.Events":                 "revision %[2]d 的 %[1]s 始终没有报告，而它之后的 %[3]s 报告了：一个 WatchResponse 可能带有多个事件（一个 Txn 的多次写入，或追赶时的一批）：请遍历 resp.Events",
	"your watcher reported %s where etcd applied %s: report each event as it comes, in order":                                                                                       "你的监听报告了 %s，而 etcd 应用的是 %s：请按顺序报告每个到来的事件",
	"your watcher reported %s after the last write, which etcd never applied after your snapshot: each event once":                                                                  "你的监听在最后一次写入之后报告了 %s，而 etcd 在你的快照之后从未应用过它：每个事件只报告一次",
	// txn
	"Count with compare-and-swap: no lock, no lost update": "用 compare-and-swap 计数：不加锁，也不丢更新",
	"Get the key, then a Txn: If(clientv3.Compare(clientv3.ModRevision(key), \"=\", rev)), Then(clientv3.OpPut(key, next)). A missing key's mod_revision is 0.": "先 Get，再 Txn：If(clientv3.Compare(clientv3.ModRevision(key), \"=\", rev))，Then(clientv3.OpPut(key, next))。不存在的 key 的 mod_revision 是 0。",
	"resp.Succeeded false means somebody wrote the key after your Get and nothing was written: Get again and retry, in a loop.":                                 "resp.Succeeded 为 false 表示在你的 Get 之后有人写了这个 key，你的写入没有发生：请重新 Get 再重试，放在循环里。",
	"Each retry must read again: a Txn that compares with the first Get's revision fails forever once another write came in.":                                   "每次重试都必须重新读：拿第一次 Get 的 revision 去比较的 Txn，一旦中间有别的写入，就会永远失败。",
	txnNew:     "一个不存在的 key：计数为 1",
	txnBetween: "你的 Get 和 Txn 之间有一次写入：比较失败，你重新读取，什么都不丢",
	txnMany:    "8 个调用者同时进行，每个递增 25 次：结果是 200，一次不丢",
	"txn, step 1 (Create a key only if it does not exist)":                                                                                                                                                            "txn，第 1 步（只在 key 不存在时创建它）",
	"txn, step 2 (Compare-and-swap on mod_revision) and step 4 (the Txn retry loop)":                                                                                                                                  "txn，第 2 步（基于 mod_revision 的 compare-and-swap）和第 4 步（Txn 重试循环）",
	"txn, step 3 (Lost updates: four clients, Get then Put) and step 4":                                                                                                                                               "txn，第 3 步（丢失的更新：四个客户端，先 Get 再 Put）和第 4 步",
	"after %s the key %s does not exist: Put the new count to the key you were given":                                                                                                                                 "%s 之后 key %s 不存在：请把新的计数写到传给你的那个 key",
	"the key held %s before %s; %s returned count %d, want %d: read the count from etcd (a missing key is 0) and add one":                                                                                             "%[2]s 之前 key 的值是 %[1]s；%[3]s 返回的计数是 %[4]d，应为 %[5]d：请从 etcd 读出计数（key 不存在时为 0）再加一",
	"after %s the key holds %q, want %q: Put the new count as a decimal string (strconv.Itoa)":                                                                                                                        "%s 之后 key 的值是 %q，应为 %q：请把新的计数写成十进制字符串（strconv.Itoa）",
	"Increment sent no Get within 3 s: read the count with cli.Get first":                                                                                                                                             "Increment 在 3 秒内没有发出 Get：请先用 cli.Get 读出计数",
	"Increment returned without a Get: read the count with cli.Get first":                                                                                                                                             "Increment 没有发出 Get 就返回了：请先用 cli.Get 读出计数",
	"your Get read \"5\"; the checker wrote \"10\" before your Txn, so its compare failed, and Increment returned an error (%s): Get again and retry until the Txn succeeds":                                          "你的 Get 读到 \"5\"；检查器在你的 Txn 之前写入了 \"10\"，所以比较失败，而 Increment 返回了错误（%s）：请重新 Get 并重试，直到 Txn 成功",
	"your Get read \"5\"; the checker wrote \"10\" before your Txn, and Increment had not returned 3 s later: when the compare fails, read the key again (a new mod_revision) before you retry":                       "你的 Get 读到 \"5\"；检查器在你的 Txn 之前写入了 \"10\"，3 秒后 Increment 仍未返回：比较失败时，请在重试之前重新读取这个 key（拿到新的 mod_revision）",
	"your Get read \"5\"; the checker wrote \"10\" before your write, and your write put \"6\" over it: an update lost. Write in a Txn that compares the key's mod_revision with your Get's":                          "你的 Get 读到 \"5\"；检查器在你写入之前写入了 \"10\"，而你的写入用 \"6\" 把它覆盖了：丢了一次更新。请在 Txn 里写入，并比较 key 的 mod_revision 与你 Get 时读到的是否相同",
	"your Get read \"5\"; the checker wrote \"10\" before your Txn, whose compare failed: nothing of yours was written, yet Increment returned %d. Look at resp.Succeeded, and read again and retry when it is false": "你的 Get 读到 \"5\"；检查器在你的 Txn 之前写入了 \"10\"，你的比较失败了：你什么都没写进去，Increment 却返回了 %d。请检查 resp.Succeeded，为 false 时重新读取并重试",
	"%d callers made %d increments each; the key holds %s, want \"%d\": %d updates lost":                                                                                                                              "%d 个调用者各递增 %d 次；key 的值是 %s，应为 \"%d\"：丢了 %d 次更新",
	"two increments returned the same count, %d: each must return the count its own write put":                                                                                                                        "两次递增返回了同一个计数 %d：每次都必须返回它自己那次写入的计数",

	// The workspace's README (its text is in _code/README*.md).
	"lesson %s, %s": "课程 %s，%s",
}

// Chinese returns the Chinese of the exercises, keyed by their English.
func Chinese() map[string]string { return maps.Clone(chinese) }
