package etcdconn

import "maps"

// chinese is the Chinese of reaching etcd: the connection flags' errors
// and the one-line diagnosis of a connection that failed.
var chinese = map[string]string{
	"no endpoint given: pass --endpoints host:port":                                           "没有给出 endpoint：请传入 --endpoints host:port",
	"--user %q has no user name: use --user NAME or NAME:PASSWORD":                            "--user %q 没有用户名：请用 --user NAME 或 NAME:PASSWORD",
	"--user %s:… and --password both give a password: give it once":                           "--user %s:… 和 --password 都给了密码：只给一次",
	"--user %q has no password: use --user %s:PASSWORD or --password":                         "--user %q 没有密码：请用 --user %s:PASSWORD 或 --password",
	"--password given without --user: add --user NAME":                                        "给了 --password 却没有 --user：请加上 --user NAME",
	"--cert and --key go together: give both or neither":                                      "--cert 和 --key 要一起给：两个都给，或者都不给",
	"%s %s: cannot read it: %v":                                                               "%s %s：无法读取：%v",
	"--cacert %s: no PEM certificate in it: give the CA certificate that signed the server's": "--cacert %s：里面没有 PEM 证书：请给出签发服务端证书的 CA 证书",
	"--cert %s and --key %s are not a certificate and its key: %v":                            "--cert %s 和 --key %s 不是一对证书和私钥：%v",
	"endpoint %q is malformed: want host:port or http(s)://host:port, without spaces":         "endpoint %q 格式不对：应为 host:port 或 http(s)://host:port，不带空格",
	"endpoint %q is malformed: want host:port or http(s)://host:port":                         "endpoint %q 格式不对：应为 host:port 或 http(s)://host:port",
	"TLS setup: %w": "TLS 设置：%w",
	"etcd at %s rejected user %q: wrong user name or password (check --user and --password)":                                                                                                      "%s 上的 etcd 拒绝了用户 %q：用户名或密码错误（请检查 --user 和 --password）",
	"user %q may not read and write the course's prefix on %s: grant it a role with readwrite on the prefix, or pick another --prefix":                                                            "用户 %q 不能读写 %s 上课程的前缀：请给它一个对该前缀有 readwrite 的角色，或者换一个 --prefix",
	"etcd at %s has authentication enabled: pass --user NAME:PASSWORD":                                                                                                                            "%s 上的 etcd 开启了认证：请传入 --user NAME:PASSWORD",
	"interrupted while connecting to etcd at %s":                                                                                                                                                  "连接 %s 上的 etcd 时被中断",
	"TLS with etcd at %s failed: %s (check --cacert, --cert, --key and the scheme in --endpoints)":                                                                                                "与 %s 上的 etcd 的 TLS 失败：%s（请检查 --cacert、--cert、--key 以及 --endpoints 里的协议）",
	"%s accepts connections but did not answer as etcd within %v: is it etcd, and does its cluster have a leader? (try ETCDCTL_ENDPOINTS=%s etcdctl endpoint health, or a longer --dial-timeout)": "%s 接受连接，但在 %v 内没有像 etcd 那样应答：它是 etcd 吗？它的集群有 leader 吗？（试试 ETCDCTL_ENDPOINTS=%s etcdctl endpoint health，或更长的 --dial-timeout）",
	"etcd at %s: %v": "%s 上的 etcd：%v",
	"etcd %s at %s answered, but only after --dial-timeout %v had passed: that is too short to reach the cluster and check it; try --dial-timeout 5s (the default)": "%[2]s 上的 etcd %[1]s 应答了，但那时 --dial-timeout %[3]v 已经过去：这点时间不够连上集群并检查它；试试 --dial-timeout 5s（默认值）",
	"no etcd socket at %s (%v): check --endpoints": "%s 没有 etcd 的 socket（%v）：请检查 --endpoints",
	"cannot reach etcd at %s within %v (%s): is it running, and is the address right? (check --endpoints, --dial-timeout)":                                           "无法在 %[2]v 内连接 %[1]s 上的 etcd（%[3]s）：etcd 在运行吗？地址对吗？（请检查 --endpoints、--dial-timeout）",
	"etcd at %s serves https, not plain http: use https://%s in --endpoints, with --cacert":                                                                          "%s 上的 etcd 用 https 而非 http：请在 --endpoints 里用 https://%s，加 --cacert",
	"etcd at %s does not serve TLS (https): use http://%s in --endpoints":                                                                                            "%s 上的 etcd 不提供 TLS（https）：请在 --endpoints 里用 http://%s",
	"etcd at %s hung up on the TLS handshake: it likely serves plain http, not https (use http://%s in --endpoints)":                                                 "%s 上的 etcd 在 TLS 握手时挂断了：它多半提供的是普通 http 而不是 https（请在 --endpoints 里用 http://%s）",
	"TLS with etcd at %s failed: its certificate is signed by an authority we do not trust (check --cacert: it must be the CA that signed the server's certificate)": "与 %s 上的 etcd 的 TLS 失败：它的证书由我们不信任的机构签发（请检查 --cacert：它必须是签发服务端证书的 CA）",
	"TLS with etcd at %s failed: %v (check the host in --endpoints against the server's certificate)":                                                                "与 %s 上的 etcd 的 TLS 失败：%v（请对照服务端证书检查 --endpoints 里的主机名）",
	"TLS with etcd at %s failed: %s (check --cacert)":                                                                                                                "与 %s 上的 etcd 的 TLS 失败：%s（请检查 --cacert）",
	"TLS with etcd at %s failed: the server requires a client certificate (pass --cert and --key)":                                                                   "与 %s 上的 etcd 的 TLS 失败：服务端要求客户端证书（请传入 --cert 和 --key）",
	"TLS with etcd at %s failed: the server refused our certificate (%s): check --cert and --key":                                                                    "与 %s 上的 etcd 的 TLS 失败：服务端拒绝了我们的证书（%s）：请检查 --cert 和 --key",
	// Told at once: nothing listens on this machine; a web server answered.
	"nothing listens at %s (connection refused): is etcd running there, and is the address right? (check --endpoints)":                "%s 上没有程序在监听（connection refused）：etcd 在那里运行了吗？地址对吗？（请检查 --endpoints）",
	"%s answered with HTTP %s, not as etcd: is it etcd, and is the address right? (try ETCDCTL_ENDPOINTS=%s etcdctl endpoint health)": "%[1]s 用 HTTP %[2]s 作答，而不是像 etcd 那样：它是 etcd 吗？地址对吗？（试试 ETCDCTL_ENDPOINTS=%[3]s etcdctl endpoint health）",
}

// Chinese returns the Chinese of reaching etcd, keyed by
// their English: main hands it, with every other package's, to
// i18n.Lang.With.
func Chinese() map[string]string { return maps.Clone(chinese) }
